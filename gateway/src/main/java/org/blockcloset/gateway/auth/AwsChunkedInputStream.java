package org.blockcloset.gateway.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/**
 * Decodes an aws-chunked body ({@code hex-size[;chunk-signature=sig]\r\n data\r\n ... 0...\r\n
 * [trailers\r\n] \r\n}) into the object bytes.
 *
 * <p>Invariants: in signed modes no byte of a chunk reaches the reader before that chunk's
 * signature has been verified, so a signed chunk is buffered whole (at most {@link #MAX_CHUNK}
 * bytes). In unsigned mode data streams straight through. EOF is reported only after the final
 * chunk, the trailers (and their signature), the decoded length and the absence of trailing bytes
 * have all been checked. Failures are thrown as {@link S3Exception} from {@code read}; the caller
 * must read to EOF before committing anything. Not thread safe.
 */
public final class AwsChunkedInputStream extends InputStream {
    /** Largest signed chunk accepted; clients use 64 KiB to 1 MiB. */
    public static final int MAX_CHUNK = 16 << 20;
    private static final int MAX_LINE = 4096;
    private static final int MAX_TRAILERS = 64;
    private static final String CHUNK_SIGNATURE = "chunk-signature=";
    private static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";

    private final InputStream in;
    private final PayloadMode mode;
    private final ChunkSigningContext signing;
    private final Mac mac;
    private final MessageDigest sha256;
    private final long expectedLength;

    private final byte[] raw = new byte[64 * 1024];
    private int rawPos;
    private int rawLimit;

    /** Signed modes: the verified chunk being served. */
    private byte[] chunk = new byte[0];
    /** Bytes of the node's chunk budget this stream holds for {@link #chunk}. */
    private int held;
    private int chunkPos;
    private int chunkLimit;
    /** Unsigned mode: bytes of the current chunk not yet served; its CRLF follows. */
    private long unsignedRemaining;
    private boolean crlfPending;

    private String previousSignature;
    private long decodedLength;
    private boolean finished;
    private Map<String, String> trailers = Map.of();

    /**
     * @param mode           one of the streaming modes
     * @param signing        required when {@code mode.hasChunkSignatures()}
     * @param expectedLength {@code x-amz-decoded-content-length}, or -1 if not given
     */
    public AwsChunkedInputStream(InputStream in, PayloadMode mode, ChunkSigningContext signing, long expectedLength) {
        if (!mode.isStreaming()) {
            throw new IllegalArgumentException("not a streaming payload mode: " + mode);
        }
        this.in = in;
        this.mode = mode;
        this.signing = mode.hasChunkSignatures() ? Objects.requireNonNull(signing, "signing") : null;
        this.mac = this.signing == null ? null : SigV4Crypto.newMac(signing.signingKey());
        this.sha256 = this.signing == null ? null : SigV4Crypto.newSha256();
        this.previousSignature = this.signing == null ? null : signing.seedSignature();
        this.expectedLength = expectedLength;
    }

    /** Trailer headers (lower-case names, excluding the trailer signature); complete only after EOF. */
    public Map<String, String> trailers() {
        return trailers;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (chunkPos < chunkLimit) {
                int n = Math.min(len, chunkLimit - chunkPos);
                System.arraycopy(chunk, chunkPos, b, off, n);
                chunkPos += n;
                return n;
            }
            if (unsignedRemaining > 0) {
                int n = readRaw(b, off, (int) Math.min(len, unsignedRemaining));
                if (n < 0) {
                    throw incomplete();
                }
                unsignedRemaining -= n;
                return n;
            }
            if (finished) {
                releaseChunk();
                return -1;
            }
            nextChunk();
        }
    }

    @Override
    public int available() {
        return (chunkLimit - chunkPos) + (int) Math.min(unsignedRemaining, rawLimit - rawPos);
    }


    /** Reads the next chunk header and, in signed modes, the whole verified chunk. */
    private void nextChunk() throws IOException {
        if (crlfPending) {
            expectCrlf();
            crlfPending = false;
        }
        String header = readLine();
        int semi = header.indexOf(';');
        long size = parseSize(semi < 0 ? header : header.substring(0, semi));
        if (expectedLength >= 0 && decodedLength + size > expectedLength) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "aws-chunked body is longer than x-amz-decoded-content-length " + expectedLength);
        }
        decodedLength += size;
        if (signing != null) {
            readSignedChunk(size, chunkSignature(header, semi));
        } else if (size > 0) {
            unsignedRemaining = size;
            crlfPending = true;
        }
        if (size == 0) {
            finish();
        }
    }

    private void readSignedChunk(long size, String signature) throws IOException {
        if (size > MAX_CHUNK) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "aws-chunked chunk of " + size + " bytes exceeds the " + MAX_CHUNK + " byte limit");
        }
        int n = (int) size;
        releaseChunk();
        // Held whole until its signature is checked: within the node-wide budget, and only while it is.
        ChunkBudget.acquire(n);
        held = n;
        chunk = new byte[n];
        for (int done = 0; done < n; ) {
            int r = readRaw(chunk, done, n - done);
            if (r < 0) {
                throw incomplete();
            }
            done += r;
        }
        if (n > 0) {
            expectCrlf();
        }
        sha256.update(chunk, 0, n);
        String dataHash = SigV4Crypto.hex(sha256.digest());
        String expected = sign("AWS4-HMAC-SHA256-PAYLOAD", SigV4Crypto.EMPTY_SHA256 + "\n" + dataHash);
        if (!SigV4Crypto.signaturesEqual(expected, signature)) {
            throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH, "The chunk signature does not match (chunk ending at decoded byte " + decodedLength + ").");
        }
        previousSignature = expected;
        chunkPos = 0;
        chunkLimit = n;
    }

    /** Gives the served chunk's memory back to the node's budget. */
    private void releaseChunk() {
        if (held > 0) {
            ChunkBudget.release(held);
            held = 0;
        }
        chunk = new byte[0];
        chunkPos = 0;
        chunkLimit = 0;
    }

    @Override
    public void close() throws IOException {
        releaseChunk();
        in.close();
    }

    /** After the zero-size chunk: trailers, trailer signature, final CRLF, length and EOF checks. */
    private void finish() throws IOException {
        if (mode.hasTrailers()) {
            readTrailers();
        } else {
            expectCrlf();
        }
        if (expectedLength >= 0 && decodedLength != expectedLength) {
            throw new S3Exception(S3Error.INCOMPLETE_BODY, "aws-chunked body decoded to " + decodedLength
                    + " bytes but x-amz-decoded-content-length is " + expectedLength);
        }
        if (rawPos < rawLimit || in.read() >= 0) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Unexpected data after the final aws-chunked chunk.");
        }
        finished = true;
    }

    private void readTrailers() throws IOException {
        Map<String, String> parsed = new LinkedHashMap<>();
        StringBuilder signedText = new StringBuilder();
        String trailerSignature = null;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0 || parsed.size() >= MAX_TRAILERS) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked trailer: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals(TRAILER_SIGNATURE)) {
                trailerSignature = value;
            } else {
                parsed.put(name, value);
                signedText.append(name).append(':').append(value).append('\n');
            }
        }
        if (mode == PayloadMode.STREAMING_SIGNED_TRAILER) {
            if (trailerSignature == null) {
                throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH, "The aws-chunked trailer signature is missing.");
            }
            String trailerHash = SigV4Crypto.sha256Hex(signedText.toString());
            if (!SigV4Crypto.signaturesEqual(sign("AWS4-HMAC-SHA256-TRAILER", trailerHash), trailerSignature)) {
                throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH, "The aws-chunked trailer signature does not match.");
            }
        }
        trailers = Collections.unmodifiableMap(parsed);
    }

    private String sign(String algorithm, String tail) {
        String stringToSign = algorithm + "\n" + signing.amzDate() + "\n" + signing.scope() + "\n" + previousSignature + "\n" + tail;
        return SigV4Crypto.hex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    private String chunkSignature(String header, int semi) {
        if (semi >= 0) {
            for (String ext : header.substring(semi + 1).split(";")) {
                String e = ext.trim();
                if (e.startsWith(CHUNK_SIGNATURE)) {
                    return e.substring(CHUNK_SIGNATURE.length());
                }
            }
        }
        throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH, "aws-chunked chunk has no chunk-signature: " + header);
    }

    private static long parseSize(String hex) {
        String h = hex.trim();
        if (h.isEmpty() || h.length() > 15) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked chunk size: \"" + hex + "\"");
        }
        try {
            return Long.parseLong(h, 16);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked chunk size: \"" + hex + "\"");
        }
    }

    /** A CRLF-terminated line (without the CRLF), ASCII/UTF-8. */
    private String readLine() throws IOException {
        byte[] line = new byte[128];
        int n = 0;
        while (true) {
            int c = readRawByte();
            if (c < 0) {
                throw incomplete();
            }
            if (c == '\r') {
                int lf = readRawByte();
                if (lf < 0) {
                    throw incomplete();
                }
                if (lf != '\n') {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked body: CR without LF.");
                }
                return new String(line, 0, n, StandardCharsets.UTF_8);
            }
            if (n == MAX_LINE) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked body: line longer than " + MAX_LINE + " bytes.");
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, n * 2);
            }
            line[n++] = (byte) c;
        }
    }

    private void expectCrlf() throws IOException {
        int cr = readRawByte();
        int lf = cr < 0 ? -1 : readRawByte();
        if (cr < 0 || lf < 0) {
            throw incomplete();
        }
        if (cr != '\r' || lf != '\n') {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Malformed aws-chunked body: chunk data not followed by CRLF.");
        }
    }

    private int readRawByte() throws IOException {
        if (rawPos == rawLimit && !fill()) {
            return -1;
        }
        return raw[rawPos++] & 0xFF;
    }

    /** Bulk read through the raw buffer; large reads bypass it. */
    private int readRaw(byte[] b, int off, int len) throws IOException {
        if (rawPos < rawLimit) {
            int n = Math.min(len, rawLimit - rawPos);
            System.arraycopy(raw, rawPos, b, off, n);
            rawPos += n;
            return n;
        }
        if (len >= raw.length) {
            return in.read(b, off, len);
        }
        return fill() ? readRaw(b, off, len) : -1;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(raw, 0, raw.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        rawPos = 0;
        rawLimit = n;
        return true;
    }

    private static S3Exception incomplete() {
        return new S3Exception(S3Error.INCOMPLETE_BODY, "The aws-chunked body ended before its final chunk.");
    }
}
