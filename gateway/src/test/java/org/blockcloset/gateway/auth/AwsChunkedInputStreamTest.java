package org.blockcloset.gateway.auth;

import static org.blockcloset.gateway.auth.SdkSigning.ACCESS_KEY;
import static org.blockcloset.gateway.auth.SdkSigning.CLOCK;
import static org.blockcloset.gateway.auth.SdkSigning.SECRET;
import static org.blockcloset.gateway.auth.SdkSigning.payload;
import static org.blockcloset.gateway.auth.SdkSigning.received;
import static org.blockcloset.gateway.auth.SdkSigning.request;
import static org.blockcloset.gateway.auth.SdkSigning.sign;
import static org.blockcloset.gateway.auth.SdkSigning.stream;
import static org.blockcloset.gateway.auth.SdkSigning.verifier;
import static org.blockcloset.gateway.auth.SigV4VerifierTest.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/** Bodies encoded by the SDK's own aws-chunked signer (128 KiB chunks). */
class AwsChunkedInputStreamTest {
    private static final byte[] BODY = new byte[300_000];

    static {
        new Random(42).nextBytes(BODY);
    }

    private record Upload(AuthContext ctx, byte[] encoded) {
        InputStream decoder(byte[] wire) {
            return ctx.wrapBody(stream(wire));
        }
    }

    private static Upload upload(String scheme, boolean payloadSigning, boolean crc32Trailer) {
        var signed = sign(request(SdkHttpMethod.PUT, scheme, "/bucket/key")
                        .putHeader("Content-Length", String.valueOf(BODY.length)).build(),
                BODY, ACCESS_KEY, SECRET, b -> {
                    b.putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigning);
                    if (crc32Trailer) {
                        b.putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32);
                    }
                });
        return new Upload(verifier(CLOCK).verify(received(signed.request())), payload(signed));
    }

    private static String crc32(byte[] data) {
        var h = ChecksumAlgorithm.CRC32.newHasher();
        h.update(data);
        return h.base64();
    }

    @Test
    void signedChunksDecode() throws IOException {
        Upload up = upload("http", true, false);
        assertEquals(PayloadMode.STREAMING_SIGNED, up.ctx().payloadMode());
        assertEquals(BODY.length, up.ctx().decodedContentLength());
        assertArrayEquals(BODY, up.decoder(up.encoded()).readAllBytes());
    }

    @Test
    void signedChunksWithSignedTrailerDecode() throws IOException {
        Upload up = upload("http", true, true);
        assertEquals(PayloadMode.STREAMING_SIGNED_TRAILER, up.ctx().payloadMode());
        AwsChunkedInputStream in = (AwsChunkedInputStream) up.decoder(up.encoded());
        assertArrayEquals(BODY, readBytewiseAndInBulk(in));
        assertEquals(crc32(BODY), in.trailers().get("x-amz-checksum-crc32"));
        assertEquals(1, in.trailers().size());
    }

    @Test
    void unsignedTrailerDecodes() throws IOException {
        Upload up = upload("https", false, true);
        assertEquals(PayloadMode.STREAMING_UNSIGNED_TRAILER, up.ctx().payloadMode());
        AwsChunkedInputStream in = (AwsChunkedInputStream) up.decoder(up.encoded());
        assertArrayEquals(BODY, in.readAllBytes());
        assertEquals(crc32(BODY), in.trailers().get("x-amz-checksum-crc32"));
    }

    @Test
    void flippedDataByteFailsBeforeAnyByteOfTheChunkIsReleased() throws IOException {
        for (boolean trailer : new boolean[] {false, true}) {
            Upload up = upload("http", true, trailer);
            byte[] wire = up.encoded().clone();
            int firstData = indexOf(wire, "\r\n".getBytes(StandardCharsets.US_ASCII)) + 2;
            wire[firstData + 1000] ^= 1;
            InputStream in = up.decoder(wire);
            S3Exception e = assertThrows(S3Exception.class, () -> in.read(new byte[BODY.length]));
            assertEquals(S3Error.SIGNATURE_DOES_NOT_MATCH, e.error());
        }
    }

    @Test
    void tamperedSignedTrailerIsRejected() {
        Upload up = upload("http", true, true);
        String wire = new String(up.encoded(), StandardCharsets.ISO_8859_1);
        String tampered = wire.replace("x-amz-checksum-crc32:" + crc32(BODY), "x-amz-checksum-crc32:AAAAAA==");
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH,
                () -> up.decoder(tampered.getBytes(StandardCharsets.ISO_8859_1)).readAllBytes());
    }

    @Test
    void truncatedBodyIsIncomplete() {
        for (Upload up : new Upload[] {upload("http", true, false), upload("https", false, true), upload("http", true, true)}) {
            for (int cut : new int[] {1, 3, 40, 200_000}) {
                byte[] wire = Arrays.copyOf(up.encoded(), up.encoded().length - cut);
                assertS3Error(S3Error.INCOMPLETE_BODY, () -> up.decoder(wire).readAllBytes());
            }
        }
    }

    @Test
    void decodedLengthMustMatchTheHeader() {
        Upload up = upload("https", false, true);
        ChunkSigningContext signing = up.ctx().chunkSigning();
        PayloadMode mode = up.ctx().payloadMode();
        assertS3Error(S3Error.INCOMPLETE_BODY, () ->
                new AwsChunkedInputStream(stream(up.encoded()), mode, signing, BODY.length + 1).readAllBytes());
        assertS3Error(S3Error.INVALID_REQUEST, () ->
                new AwsChunkedInputStream(stream(up.encoded()), mode, signing, BODY.length - 1).readAllBytes());
    }

    @Test
    void garbageAndOversizedChunksAreRejected() {
        assertS3Error(S3Error.INVALID_REQUEST, () -> unsigned("zz\r\nabc\r\n0\r\n\r\n").readAllBytes());
        assertS3Error(S3Error.INVALID_REQUEST, () -> unsigned("3\r\nabcX\r\n0\r\n\r\n").readAllBytes());
        assertS3Error(S3Error.INVALID_REQUEST, () -> unsigned("3\r\nabc\r\n0\r\n\r\nextra").readAllBytes());
        Upload up = upload("http", true, false);
        String huge = Integer.toHexString(AwsChunkedInputStream.MAX_CHUNK + 1) + ";chunk-signature=" + "0".repeat(64) + "\r\n";
        assertS3Error(S3Error.INVALID_REQUEST, () -> new AwsChunkedInputStream(stream(huge.getBytes(StandardCharsets.US_ASCII)),
                up.ctx().payloadMode(), up.ctx().chunkSigning(), -1).read());
    }

    @Test
    void unsignedTrailerBodyFromTheWire() throws IOException {
        AwsChunkedInputStream in = unsigned("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
        assertEquals("hello world", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(crc32("hello world".getBytes(StandardCharsets.US_ASCII)), in.trailers().get("x-amz-checksum-crc32"));
    }

    private static AwsChunkedInputStream unsigned(String wire) {
        return new AwsChunkedInputStream(stream(wire.getBytes(StandardCharsets.US_ASCII)), PayloadMode.STREAMING_UNSIGNED_TRAILER, null, -1);
    }

    private static byte[] readBytewiseAndInBulk(InputStream in) throws IOException {
        byte[] out = new byte[BODY.length];
        int n = 0;
        for (; n < 100; n++) {
            out[n] = (byte) in.read();
        }
        for (int r; (r = in.read(out, n, Math.min(7777, out.length - n))) > 0; ) {
            n += r;
        }
        assertEquals(-1, in.read());
        return Arrays.copyOf(out, n);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
