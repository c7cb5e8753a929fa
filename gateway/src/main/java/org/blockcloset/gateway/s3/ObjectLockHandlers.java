package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.blockcloset.ledger.event.BucketObjectLockChanged;
import org.blockcloset.ledger.event.ObjectLockChanged;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;
import org.w3c.dom.Element;

/**
 * Object lock (ADR 0013): the bucket's configuration, each version's retention and legal hold, and
 * the lock headers of a write. The fold enforces the lock in log order; these handlers parse and
 * answer S3, and refuse early what the fold would refuse.
 */
final class ObjectLockHandlers {
    static final String GOVERNANCE = "GOVERNANCE";
    static final String COMPLIANCE = "COMPLIANCE";

    private final S3Context ctx;

    ObjectLockHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    /** The lock a write asks for with x-amz-object-lock-* headers; null when it asks for none. */
    record WriteLock(String mode, Instant until, Boolean legalHold) {
        ObjectVersion applyTo(ObjectVersion o) {
            return o.withLock(mode, until, legalHold);
        }
    }

    static WriteLock fromHeaders(S3Context ctx, S3Request r, Bucket bucket) {
        String mode = r.header("x-amz-object-lock-mode");
        String until = r.header("x-amz-object-lock-retain-until-date");
        String hold = r.header("x-amz-object-lock-legal-hold");
        if (mode == null && until == null && hold == null) {
            return null;
        }
        if (!bucket.locked()) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
        // Retention nobody can shorten is the owner's to give: not a writer's, nor an anonymous uploader's.
        if (!Permissions.mayBypassGovernance(ctx.views().accessKey(r.actor()).orElse(null), bucket.name())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Object lock on a write needs a key that owns the bucket (or an admin "
                    + "key); the bucket's default retention applies to every write.");
        }
        if ((mode == null) != (until == null)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT,
                    "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
        }
        Instant at = retainUntil(ctx, mode, until);
        Boolean legalHold = hold == null ? null : parseHold(hold, S3Error.INVALID_ARGUMENT);
        return new WriteLock(mode, at, legalHold);
    }

    void getConfiguration(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        if (!b.locked()) {
            throw new S3Exception(S3Error.OBJECT_LOCK_CONFIGURATION_NOT_FOUND);
        }
        Xml x = Xml.doc("ObjectLockConfiguration").el("ObjectLockEnabled", "Enabled");
        if (b.lockDefault() != null) {
            x.open("Rule").open("DefaultRetention").el("Mode", b.lockDefault().mode()).el("Days", b.lockDefault().days())
                    .el("Years", b.lockDefault().years()).close().close();
        }
        Responses.xml(resp, x.finish());
    }

    void putConfiguration(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "ObjectLockConfiguration");
        if (!"Enabled".equals(XmlInput.text(root, "ObjectLockEnabled"))) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!b.locked()) {
            throw new S3Exception(S3Error.INVALID_BUCKET_STATE, "Object Lock configuration cannot be enabled on existing buckets; "
                    + "create the bucket with object lock enabled.");
        }
        Bucket.DefaultRetention retention = null;
        List<Element> rules = XmlInput.children(root, "Rule");
        if (!rules.isEmpty()) {
            List<Element> d = XmlInput.children(rules.get(0), "DefaultRetention");
            if (d.isEmpty()) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            String mode = XmlInput.text(d.get(0), "Mode");
            String days = XmlInput.text(d.get(0), "Days");
            String years = XmlInput.text(d.get(0), "Years");
            if (mode == null || (days == null) == (years == null)) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            checkMode(mode, S3Error.MALFORMED_XML); // in a document, as S3: not a value it takes is not its schema
            retention = new Bucket.DefaultRetention(mode, days == null ? null : positive(days), years == null ? null : positive(years));
        }
        ctx.append(r, new BucketObjectLockChanged(r.bucket(), retention));
        Responses.empty(resp, 200);
    }

    void getRetention(S3Request r, HttpServletResponse resp) throws IOException {
        requireLocked(r);
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        if (o.lockMode() == null) {
            throw new S3Exception(S3Error.NO_SUCH_OBJECT_LOCK_CONFIGURATION);
        }
        Responses.xml(resp, Xml.doc("Retention").el("Mode", o.lockMode()).el("RetainUntilDate", Responses.xmlDate(o.retainUntil()))
                .finish());
    }

    void putRetention(S3Request r, HttpServletResponse resp) throws IOException {
        requireLocked(r);
        ctx.readBarrier();
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "Retention");
        String mode = XmlInput.text(root, "Mode");
        String until = XmlInput.text(root, "RetainUntilDate");
        if ((mode == null) != (until == null)) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (mode != null) {
            checkMode(mode, S3Error.MALFORMED_XML);
        }
        Instant at = retainUntil(ctx, mode, until);
        ctx.append(r, new ObjectLockChanged(r.bucket(), r.key(), o.s3VersionIdOrNull(), mode == null ? "" : mode, at, null,
                bypass(r)));
        Responses.empty(resp, 200);
    }

    void getLegalHold(S3Request r, HttpServletResponse resp) throws IOException {
        requireLocked(r);
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Responses.xml(resp, Xml.doc("LegalHold").el("Status", Boolean.TRUE.equals(o.legalHold()) ? "ON" : "OFF").finish());
    }

    void putLegalHold(S3Request r, HttpServletResponse resp) throws IOException {
        requireLocked(r);
        ctx.readBarrier();
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "LegalHold");
        String status = XmlInput.text(root, "Status");
        if (status == null) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        ctx.append(r, new ObjectLockChanged(r.bucket(), r.key(), o.s3VersionIdOrNull(), null, null, parseHold(status, S3Error.MALFORMED_XML), null));
        Responses.empty(resp, 200);
    }

    /** x-amz-bypass-governance-retention: true from a caller allowed to bypass (else AccessDenied). */
    static Boolean bypass(S3Request r, S3Context ctx) {
        if (!"true".equalsIgnoreCase(r.header("x-amz-bypass-governance-retention"))) {
            return null;
        }
        if (!Permissions.mayBypassGovernance(ctx.views().accessKey(r.actor()).orElse(null), r.bucket())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Only the bucket's owner or an admin key may bypass governance retention.");
        }
        return true;
    }

    private Boolean bypass(S3Request r) {
        return bypass(r, ctx);
    }

    private void requireLocked(S3Request r) {
        if (!ctx.requireBucket(r.bucket()).locked()) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
    }

    /** Lock headers in a response: mode, retain-until date and legal hold, when set. */
    static void headers(HttpServletResponse resp, ObjectVersion o) {
        if (o.lockMode() != null && o.retainUntil() != null) {
            resp.setHeader("x-amz-object-lock-mode", o.lockMode());
            resp.setHeader("x-amz-object-lock-retain-until-date", Responses.xmlDate(o.retainUntil()));
        }
        if (o.legalHold() != null) {
            resp.setHeader("x-amz-object-lock-legal-hold", "ON");
        }
    }

    private static void checkMode(String mode) {
        checkMode(mode, S3Error.INVALID_ARGUMENT);
    }

    /** GOVERNANCE or COMPLIANCE (upper case); anything else is {@code error}: a header's InvalidArgument, a document's MalformedXML. */
    private static void checkMode(String mode, S3Error error) {
        if (!mode.equals(GOVERNANCE) && !mode.equals(COMPLIANCE)) {
            throw error == S3Error.MALFORMED_XML ? new S3Exception(error) : new S3Exception(error, "Unknown wormMode directive.");
        }
    }

    private static Instant parseDate(String s) {
        try {
            return Instant.parse(s.trim());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(s.trim()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "The retain until date is not a valid ISO 8601 date.");
            }
        }
    }

    /** The end of a retention in {@code mode} (null: none asked for); it must lie in the future. */
    private static Instant retainUntil(S3Context ctx, String mode, String until) {
        if (mode == null) {
            return null;
        }
        checkMode(mode);
        Instant at = parseDate(until);
        if (!at.isAfter(ctx.clock().instant())) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The retain until date must be in the future!");
        }
        return at;
    }

    /** ON or OFF; anything else is {@code error} (a header's InvalidArgument, a document's MalformedXML). */
    private static Boolean parseHold(String s, S3Error error) {
        return switch (s.trim()) {
            case "ON" -> true;
            case "OFF" -> false;
            default -> throw error == S3Error.MALFORMED_XML ? new S3Exception(error)
                    : new S3Exception(error, "Legal Hold must be either of 'ON' or 'OFF'");
        };
    }

    private static int positive(String n) {
        try {
            int v = Integer.parseInt(n.trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_RETENTION_PERIOD, "Default retention period must be a positive integer value.");
        }
    }
}
