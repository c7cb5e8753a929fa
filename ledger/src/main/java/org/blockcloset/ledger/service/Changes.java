package org.blockcloset.ledger.service;

import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.model.Rejection;

/** How the services append: a refusal of the views becomes a {@link ChangeRefusedException} that says why. */
final class Changes {
    private Changes() {
    }

    static Ledger.Appended append(Ledger ledger, Caller c, Event e, String what)
            throws ChangeRefusedException, LedgerUnavailableException {
        try {
            return ledger.appendWithOffset(c.actor(), c.requestId(), c.source(), e);
        } catch (RejectedException r) {
            throw refused(r.rejection(), what);
        }
    }

    static ChangeRefusedException refused(Rejection r, String what) {
        ChangeRefusedException.Reason reason = switch (r) {
            case NO_SUCH_BUCKET, NO_SUCH_ACCESS_KEY, NO_SUCH_KEY, NO_SUCH_NODE, NO_SUCH_UPLOAD, NO_SUCH_VERSION ->
                    ChangeRefusedException.Reason.NOT_FOUND;
            case INVALID_EVENT -> ChangeRefusedException.Reason.INVALID;
            default -> ChangeRefusedException.Reason.CONFLICT;
        };
        String why = switch (r) {
            case NO_SUCH_BUCKET -> "there is no such bucket";
            case BUCKET_EXISTS -> "a bucket of that name exists already";
            case BUCKET_NOT_EMPTY -> "the bucket is not empty; delete its objects (and their versions) first";
            case NO_SUCH_ACCESS_KEY -> "there is no such access key";
            case ACCESS_KEY_EXISTS -> "an access key with that id exists already";
            default -> r.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        };
        return new ChangeRefusedException(reason, r, what + ": " + why);
    }

    static ChangeRefusedException invalid(String message) {
        return new ChangeRefusedException(ChangeRefusedException.Reason.INVALID, message);
    }
}
