package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Request headers that change what a request means and that this store does not implement yet,
 * in one place: a request carrying one is refused with S3's error rather than served as if the
 * header were not there (a backup tool asking for immutability must not believe it got it).
 * Sub-resources this store does not serve are refused by {@link Router}.
 */
final class UnsupportedFeatures {
    private static final Set<S3Operation> WRITES = EnumSet.of(S3Operation.PUT_OBJECT, S3Operation.COPY_OBJECT,
            S3Operation.CREATE_MULTIPART_UPLOAD);

    /** One refused header: on which operations, with which error and message. */
    record Refusal(String header, Set<S3Operation> on, S3Error error, String message) {
    }

    static final List<Refusal> REFUSED = List.of(
            new Refusal("x-amz-grant-read", all(), S3Error.NOT_IMPLEMENTED, "ACL grants are not implemented yet."),
            new Refusal("x-amz-grant-write", all(), S3Error.NOT_IMPLEMENTED, "ACL grants are not implemented yet."),
            new Refusal("x-amz-grant-read-acp", all(), S3Error.NOT_IMPLEMENTED, "ACL grants are not implemented yet."),
            new Refusal("x-amz-grant-write-acp", all(), S3Error.NOT_IMPLEMENTED, "ACL grants are not implemented yet."),
            new Refusal("x-amz-grant-full-control", all(), S3Error.NOT_IMPLEMENTED, "ACL grants are not implemented yet."),
            new Refusal("x-amz-server-side-encryption", all(), S3Error.NOT_IMPLEMENTED,
                    "Server-side encryption is not implemented yet."),
            new Refusal("x-amz-server-side-encryption-customer-algorithm", all(), S3Error.NOT_IMPLEMENTED,
                    "Server-side encryption with customer keys is not implemented yet."),
            new Refusal("x-amz-server-side-encryption-aws-kms-key-id", all(), S3Error.NOT_IMPLEMENTED,
                    "Server-side encryption is not implemented yet."),
            new Refusal("x-amz-website-redirect-location", WRITES, S3Error.NOT_IMPLEMENTED,
                    "Website redirects are not implemented yet."));

    private UnsupportedFeatures() {
    }

    private static Set<S3Operation> all() {
        return EnumSet.allOf(S3Operation.class);
    }

    static void check(S3Operation op, HttpServletRequest req) {
        for (Refusal r : REFUSED) {
            if (r.on().contains(op) && req.getHeader(r.header()) != null) {
                throw new S3Exception(r.error(), r.message() + " (" + r.header() + ")");
            }
        }
        // Canned ACLs are served where S3 takes them (Acls); elsewhere only "private" means nothing new.
        String acl = req.getHeader("x-amz-acl");
        if (acl != null && !Acls.TAKES_ACL.contains(op) && !acl.trim().toLowerCase(Locale.ROOT).equals("private")) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Canned ACL '" + acl + "' is not taken by this operation.");
        }
    }
}
