package org.blockcloset.gateway.auth;

import java.util.Optional;

/** How the request body is protected, as declared by {@code x-amz-content-sha256}. */
public enum PayloadMode {
    /** {@code UNSIGNED-PAYLOAD}: the body is taken as is. */
    UNSIGNED("UNSIGNED-PAYLOAD"),
    /** A 64-hex SHA-256 of the body; the body must hash to it. */
    SHA256(null),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: aws-chunked, every chunk signed. */
    STREAMING_SIGNED("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: aws-chunked, no chunk signatures, trailers. */
    STREAMING_UNSIGNED_TRAILER("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: signed chunks plus signed trailers. */
    STREAMING_SIGNED_TRAILER("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");

    private final String literal;

    PayloadMode(String literal) {
        this.literal = literal;
    }

    /** The {@code x-amz-content-sha256} literal; null for {@link #SHA256}, whose value is the hash. */
    public String literal() {
        return literal;
    }

    /** True for the aws-chunked modes, whose body must go through {@link AwsChunkedInputStream}. */
    public boolean isStreaming() {
        return this == STREAMING_SIGNED || this == STREAMING_UNSIGNED_TRAILER || this == STREAMING_SIGNED_TRAILER;
    }

    /** True when each chunk carries a signature chained from the request signature. */
    public boolean hasChunkSignatures() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER;
    }

    /** True when the final chunk is followed by trailer headers. */
    public boolean hasTrailers() {
        return this == STREAMING_UNSIGNED_TRAILER || this == STREAMING_SIGNED_TRAILER;
    }

    static Optional<PayloadMode> fromLiteral(String value) {
        for (PayloadMode mode : values()) {
            if (value.equals(mode.literal)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
