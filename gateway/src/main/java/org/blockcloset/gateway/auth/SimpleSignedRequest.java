package org.blockcloset.gateway.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** An immutable {@link SignedRequest}; header names are lower-cased on construction. */
public final class SimpleSignedRequest implements SignedRequest {
    private final String method;
    private final String rawPath;
    private final String rawQuery;
    private final Map<String, List<String>> headers;

    public SimpleSignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        Map<String, List<String>> copy = new TreeMap<>();
        headers.forEach((name, values) -> copy
                .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(copy);
    }

    /** Splits a request target such as {@code /bucket/key?uploads} into raw path and query. */
    public static SimpleSignedRequest of(String method, String requestTarget, Map<String, List<String>> headers) {
        int q = requestTarget.indexOf('?');
        String path = q < 0 ? requestTarget : requestTarget.substring(0, q);
        String query = q < 0 ? null : requestTarget.substring(q + 1);
        return new SimpleSignedRequest(method, path, query, headers);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String lowercaseName) {
        return headers.getOrDefault(lowercaseName, List.of());
    }

    @Override
    public Collection<String> headerNames() {
        return headers.keySet();
    }
}
