package org.blockcloset.gateway.s3;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.blockcloset.gateway.auth.AuthContext;

/**
 * A routed, authenticated S3 request.
 *
 * @param bucket null for service-level requests
 * @param key    null for bucket-level requests; decoded UTF-8
 * @param query  decoded query parameters (first value of each); valueless ones map to ""
 * @param scope  what the request read from the views once (its key, its bucket)
 */
public record S3Request(String requestId, HttpServletRequest http, S3Operation operation, String bucket, String key,
                        Map<String, String> query, AuthContext auth, RequestScope scope) {

    public String header(String name) {
        return http.getHeader(name);
    }

    public String param(String name) {
        return query.get(name);
    }

    public boolean hasParam(String name) {
        return query.containsKey(name);
    }

    /** The access key id recorded as the actor of the events this request causes. */
    public String actor() {
        return auth.isAnonymous() ? "anonymous" : auth.accessKeyId();
    }

    /** The resource path for error documents. */
    public String resource() {
        if (bucket == null) {
            return "/";
        }
        return key == null ? "/" + bucket : "/" + bucket + "/" + key;
    }
}
