package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The metadata a PUT or CreateMultipartUpload stores with the object. */
record ObjectMetadata(Map<String, String> headers, Map<String, String> user) {
    /** System metadata S3 stores and returns as the same headers. */
    static final List<String> STORED_HEADERS = List.of("content-type", "cache-control", "content-disposition",
            "content-encoding", "content-language", "expires");
    private static final String USER_PREFIX = "x-amz-meta-";
    private static final int MAX_USER_METADATA_BYTES = 2048;

    static ObjectMetadata from(HttpServletRequest http) {
        Map<String, String> headers = new TreeMap<>();
        for (String name : STORED_HEADERS) {
            String v = http.getHeader(name);
            if (name.equals("content-encoding") && v != null) {
                // aws-chunked is the transfer framing, not a property of the object.
                v = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty() && !s.equalsIgnoreCase("aws-chunked"))
                        .collect(Collectors.joining(","));
            }
            if (v != null && !v.isEmpty()) {
                headers.put(name, v);
            }
        }
        Map<String, String> user = new TreeMap<>();
        int bytes = 0;
        for (String name : Collections.list(http.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(USER_PREFIX)) {
                String value = String.join(",", Collections.list(http.getHeaders(name)));
                String key = lower.substring(USER_PREFIX.length());
                bytes += key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
                user.put(key, value);
            }
        }
        if (bytes > MAX_USER_METADATA_BYTES) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Your metadata headers exceed the maximum allowed metadata size.");
        }
        return new ObjectMetadata(headers, user);
    }
}
