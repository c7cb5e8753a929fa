package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.blockcloset.ledger.model.ObjectVersion;

/** If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, evaluated as S3 does (RFC 7232 order). */
final class Conditionals {
    enum Outcome { PROCEED, NOT_MODIFIED }

    private Conditionals() {
    }

    static Outcome evaluate(S3Request r, ObjectVersion o) {
        return evaluate(o, r.header("If-Match"), r.header("If-None-Match"), r.header("If-Modified-Since"),
                r.header("If-Unmodified-Since"));
    }

    /** For CopyObject's x-amz-copy-source-if-* headers, where every failure is a 412. */
    static void evaluateCopySource(S3Request r, ObjectVersion source) {
        if (evaluate(source, r.header("x-amz-copy-source-if-match"), r.header("x-amz-copy-source-if-none-match"),
                r.header("x-amz-copy-source-if-modified-since"), r.header("x-amz-copy-source-if-unmodified-since"))
                == Outcome.NOT_MODIFIED) {
            throw new S3Exception(S3Error.PRECONDITION_FAILED);
        }
    }

    private static Outcome evaluate(ObjectVersion o, String ifMatch, String ifNoneMatch, String ifModifiedSince,
                                    String ifUnmodifiedSince) {
        Instant modified = o.lastModified().truncatedTo(ChronoUnit.SECONDS);
        if (ifMatch != null) {
            if (!etagMatches(ifMatch, o.etag())) {
                throw new S3Exception(S3Error.PRECONDITION_FAILED);
            }
        } else if (ifUnmodifiedSince != null) {
            Instant t = date(ifUnmodifiedSince);
            if (t != null && modified.isAfter(t)) {
                throw new S3Exception(S3Error.PRECONDITION_FAILED);
            }
        }
        if (ifNoneMatch != null) {
            if (etagMatches(ifNoneMatch, o.etag())) {
                return Outcome.NOT_MODIFIED;
            }
        } else if (ifModifiedSince != null) {
            Instant t = date(ifModifiedSince);
            if (t != null && !modified.isAfter(t)) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }

    private static boolean etagMatches(String header, String etag) {
        String bare = unquote(etag);
        for (String candidate : header.split(",")) {
            String c = unquote(candidate.trim());
            if (c.equals("*") || c.equals(bare)) {
                return true;
            }
        }
        return false;
    }

    private static String unquote(String s) {
        String t = s.startsWith("W/") ? s.substring(2) : s;
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    private static Instant date(String value) {
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null; // S3 ignores a date it cannot parse
        }
    }
}
