package org.blockcloset.admin.api;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.UnaryOperator;

/**
 * Checks an admin API request's signature: SigV4 with the admin API's own service name, by an active
 * admin key, the body's SHA-256 covered, not presigned. The gateway's verifier implements it (the
 * admin API shares the S3 port's signing rules, not its code).
 */
public interface AdminSignatures {
    /** Who signed the request, or why it is refused; may read a small body to hash it. */
    Checked check(HttpServletRequest req) throws IOException;

    /** Frees what checking a request's body held, once the request is answered. */
    void release();

    /**
     * @param accessKeyId the admin key that signed, or null when refused
     * @param body wraps the request's stream so that what is read is checked against the signed hash
     *        (a mismatch is a {@link BodyRefusedException})
     * @param refusal why the request is refused, or null
     */
    record Checked(String accessKeyId, UnaryOperator<InputStream> body, String refusal) {
        public static Checked refused(String why) {
            return new Checked(null, null, why);
        }
    }

    /** The body did not match its signed hash, or was malformed: nothing is done with it. */
    final class BodyRefusedException extends IOException {
        public BodyRefusedException(String message) {
            super(message);
        }
    }
}
