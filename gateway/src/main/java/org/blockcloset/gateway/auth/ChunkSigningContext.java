package org.blockcloset.gateway.auth;

/**
 * What chunk and trailer signatures chain from: the request's derived signing key, its
 * {@code x-amz-date}, its credential scope and its own signature (the seed). The key is shared,
 * not copied; treat it as read-only.
 */
public record ChunkSigningContext(byte[] signingKey, String amzDate, String scope, String seedSignature) {
}
