package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.blockcloset.gateway.auth.AwsChunkedInputStream;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.Hasher;

/**
 * The checksums a client asked for on an upload: values in {@code x-amz-checksum-*} headers, an
 * algorithm named by {@code x-amz-sdk-checksum-algorithm}, or a value promised in a trailer.
 */
final class ChecksumRequest {
    private final Map<ChecksumAlgorithm, String> headerValues = new EnumMap<>(ChecksumAlgorithm.class);
    private final Set<ChecksumAlgorithm> algorithms;
    private final ChecksumAlgorithm trailer;

    private ChecksumRequest(HttpServletRequest http) {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = http.getHeader(a.headerName());
            if (v != null) {
                headerValues.put(a, v.trim());
            }
        }
        String trailerName = http.getHeader("x-amz-trailer");
        trailer = trailerName == null ? null : ChecksumAlgorithm.fromHeaderName(trailerName.trim()).orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, "Unsupported trailer: " + trailerName));
        var all = java.util.EnumSet.noneOf(ChecksumAlgorithm.class);
        all.addAll(headerValues.keySet());
        if (trailer != null) {
            all.add(trailer);
        }
        String sdk = http.getHeader("x-amz-sdk-checksum-algorithm");
        if (sdk != null) {
            all.add(ChecksumAlgorithm.fromName(sdk.trim()).orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "Unsupported checksum algorithm: " + sdk)));
        }
        if (all.size() > 1) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Expecting a single x-amz-checksum- header.");
        }
        algorithms = all;
    }

    static ChecksumRequest of(HttpServletRequest http) {
        return new ChecksumRequest(http);
    }

    Set<ChecksumAlgorithm> algorithms() {
        return algorithms;
    }

    /**
     * Compares what was computed with what the client sent (header or trailer); returns the
     * checksums to store, keyed by algorithm name, or throws BadDigest.
     */
    Map<String, String> verify(Map<ChecksumAlgorithm, Hasher> computed, InputStream body) {
        Map<String, String> stored = new TreeMap<>();
        Map<String, String> trailers = body instanceof AwsChunkedInputStream chunked ? chunked.trailers() : Map.of();
        for (Map.Entry<ChecksumAlgorithm, Hasher> e : computed.entrySet()) {
            ChecksumAlgorithm a = e.getKey();
            String actual = e.getValue().base64();
            String expected = headerValues.get(a);
            if (expected == null && a == trailer) {
                expected = trailers.get(a.headerName());
                if (expected == null) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "The trailer " + a.headerName() + " was announced but not sent.");
                }
            }
            if (expected != null && !expected.equals(actual)) {
                throw new S3Exception(S3Error.BAD_DIGEST, "The " + a.name() + " you specified did not match the calculated checksum.");
            }
            stored.put(a.name(), actual);
        }
        return stored;
    }
}
