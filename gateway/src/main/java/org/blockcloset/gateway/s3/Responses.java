package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Small helpers for writing S3 responses. */
final class Responses {
    /** ISO-8601 with milliseconds, as S3 writes dates in XML. */
    static final DateTimeFormatter XML_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Responses() {
    }

    static void xml(HttpServletResponse resp, byte[] body) throws IOException {
        xml(resp, 200, body);
    }

    static void xml(HttpServletResponse resp, int status, byte[] body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/xml");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /**
     * Reads a body that is not needed and drops it, 8 KiB at a time; a body longer than {@code max}
     * is refused (MaxMessageLengthExceeded) rather than read on.
     */
    static void drain(java.io.InputStream in, long max) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > max) {
                throw new S3Exception(S3Error.MAX_MESSAGE_LENGTH_EXCEEDED, "The request body is longer than " + max + " bytes.");
            }
        }
    }

    static void empty(HttpServletResponse resp, int status) {
        resp.setStatus(status);
        resp.setContentLength(0);
    }

    static String xmlDate(Instant t) {
        return XML_DATE.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * HTTP's date (RFC 9110's IMF-fixdate: {@code Mon, 07 Dec 2026 16:41:22 GMT}) for Last-Modified,
     * at S3's one-second resolution. Not {@code RFC_1123_DATE_TIME}, which writes the 1st to the 9th
     * with one digit: clients with a strict parser (the MinIO Java SDK) fail on those days.
     */
    static String httpDate(Instant t) {
        return HTTP_DATE.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(ZoneOffset.UTC);
}
