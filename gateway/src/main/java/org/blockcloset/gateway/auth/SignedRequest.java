package org.blockcloset.gateway.auth;

import java.util.Collection;
import java.util.List;

/**
 * The parts of an HTTP request that SigV4 verification reads. Implementations must hand over the
 * request exactly as received: the path still percent-encoded, the query string undecoded.
 */
public interface SignedRequest {
    /** HTTP method, upper case (e.g. {@code PUT}). */
    String method();

    /** Path as received, still percent-encoded (e.g. {@code HttpServletRequest.getRequestURI()}). */
    String rawPath();

    /** Query string as received, without the {@code ?}; null when the URL has none. */
    String rawQuery();

    /** All values of a header, one entry per received header line; empty when absent. */
    List<String> headers(String lowercaseName);

    /** Names of all headers present, lower case. */
    Collection<String> headerNames();

    /** The first value of a header, or null. */
    default String header(String lowercaseName) {
        List<String> values = headers(lowercaseName);
        return values.isEmpty() ? null : values.get(0);
    }
}
