package org.blockcloset.ledger.model;

import java.time.Instant;

/**
 * A join token as the view holds it: only a hash of its secret, its expiry, and who used it.
 *
 * @param secretHash hex SHA-256 of the token's secret part; the secret itself is never on the log
 * @param usedBy     the node that joined with it, null while unused (a token is single use)
 */
public record JoinToken(String tokenId, String secretHash, Instant expires, String createdBy, String usedBy) {
    public boolean usable(Instant at) {
        return usedBy == null && at.isBefore(expires);
    }
}
