package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.blockcloset.ledger.model.ObjectVersion;

/** The response headers that describe a stored object (GetObject, HeadObject). */
final class ObjectHeaders {
    private static final Map<String, String> OVERRIDES = Map.of(
            "response-content-type", "Content-Type",
            "response-content-language", "Content-Language",
            "response-expires", "Expires",
            "response-cache-control", "Cache-Control",
            "response-content-disposition", "Content-Disposition",
            "response-content-encoding", "Content-Encoding");

    private ObjectHeaders() {
    }

    /**
     * As S3 does: an anonymous GET (a public-read object) may not choose the response's headers, or
     * a link to someone's public object could serve it as HTML of the linker's choosing.
     */
    static void refuseAnonymousOverrides(S3Request r) {
        if (r.auth() != null && r.auth().isAnonymous()) {
            for (String param : OVERRIDES.keySet()) {
                if (r.param(param) != null) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "Request specific response headers cannot be used for "
                            + "anonymous GET requests.");
                }
            }
        }
    }

    static void write(HttpServletResponse resp, ObjectVersion o, S3Request r, boolean wholeObject) {
        if (o.tags() != null && !o.tags().isEmpty()) {
            resp.setHeader("x-amz-tagging-count", Integer.toString(o.tags().size()));
        }
        resp.setHeader("ETag", o.etag());
        resp.setHeader("Last-Modified", Responses.httpDate(o.lastModified()));
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setContentType(o.contentType());
        if (o.headers() != null) {
            o.headers().forEach((name, value) -> {
                if (!name.equals("content-type")) {
                    resp.setHeader(name, value);
                }
            });
        }
        if (o.userMetadata() != null) {
            o.userMetadata().forEach((name, value) -> resp.setHeader("x-amz-meta-" + name, value));
        }
        if (o.partSizes() != null) {
            resp.setHeader("x-amz-mp-parts-count", Integer.toString(o.partSizes().size()));
        }
        OVERRIDES.forEach((param, header) -> {
            String v = r.param(param);
            if (v != null) {
                if (header.equals("Content-Type")) {
                    resp.setContentType(v);
                } else {
                    resp.setHeader(header, v);
                }
            }
        });
        if (wholeObject && "ENABLED".equalsIgnoreCase(r.header("x-amz-checksum-mode"))) {
            checksums(resp, o);
        }
    }

    static void checksums(HttpServletResponse resp, ObjectVersion o) {
        if (o.checksums() == null || o.checksums().isEmpty()) {
            return;
        }
        o.checksums().forEach((algorithm, value) ->
                resp.setHeader("x-amz-checksum-" + algorithm.toLowerCase(java.util.Locale.ROOT), value));
        if (o.checksumType() != null) {
            resp.setHeader("x-amz-checksum-type", o.checksumType());
        }
    }
}
