package org.blockcloset.gateway.auth;

import java.io.InputStream;

/**
 * The outcome of a successful {@link SigV4Verifier#verify}: who signed, and how the body must be
 * checked.
 *
 * @param accessKeyId          the signer; null for an anonymous request
 * @param payloadMode          how the body is protected; {@link PayloadMode#UNSIGNED} when anonymous
 * @param expectedSha256       lower-case hex the body must hash to; set only for {@link PayloadMode#SHA256}
 * @param chunkSigning         seed for chunk/trailer signatures; set only when the request was signed
 * @param decodedContentLength {@code x-amz-decoded-content-length} for streaming modes, else -1
 * @param presigned            true when authenticated by query parameters
 * @param plusIsSpace          how the signature read a '+' in the query: as a space (form encoding) or
 *                             as a plus; the request's parameters are read the same way
 */
public record AuthContext(String accessKeyId, PayloadMode payloadMode, String expectedSha256,
                          ChunkSigningContext chunkSigning, long decodedContentLength, boolean presigned, boolean plusIsSpace) {

    private static final AuthContext ANONYMOUS = new AuthContext(null, PayloadMode.UNSIGNED, null, null, -1, false, true);

    /** A request that carried no credentials; callers decide whether to allow it. */
    public static AuthContext anonymous() {
        return ANONYMOUS;
    }

    public boolean isAnonymous() {
        return accessKeyId == null;
    }

    /**
     * Wraps the raw request body so that reading it yields the decoded object bytes and verifies
     * them. Verification failures surface as {@link org.blockcloset.gateway.s3.S3Exception} from
     * {@code read}, at the latest when EOF is reached; the caller must therefore read the stream to
     * EOF before making the upload visible. Anonymous bodies are returned untouched.
     */
    public InputStream wrapBody(InputStream raw) {
        return switch (payloadMode) {
            case UNSIGNED -> raw;
            case SHA256 -> new PayloadHashingInputStream(raw, expectedSha256);
            case STREAMING_SIGNED, STREAMING_UNSIGNED_TRAILER, STREAMING_SIGNED_TRAILER ->
                    new AwsChunkedInputStream(raw, payloadMode, chunkSigning, decodedContentLength);
        };
    }
}
