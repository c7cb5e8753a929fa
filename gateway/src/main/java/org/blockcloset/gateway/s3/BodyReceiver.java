package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.blockcloset.gateway.object.WriteSet;

/**
 * Receives the object bytes of a PutObject or UploadPart: checks the announced length against the
 * limits and the free space before reading (so a client waiting on 100-continue sends nothing),
 * writes the blocks into the request's write set, then verifies Content-MD5, the payload signature
 * and the checksums. On any failure the handler's write set gives the blocks back.
 */
final class BodyReceiver {
    /** The stored body: its blocks, quoted-less MD5 hex, and the checksums to keep. */
    record Received(BodyWriter.Written written, String md5Hex, Map<String, String> checksums) {
    }

    private BodyReceiver() {
    }

    static Received receive(S3Context ctx, S3Request r, WriteSet into) throws IOException {
        long declared = r.auth().payloadMode().isStreaming() ? r.auth().decodedContentLength() : r.http().getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(r.header("Transfer-Encoding"));
        if (declared < 0 && !chunked) {
            throw new S3Exception(S3Error.MISSING_CONTENT_LENGTH);
        }
        if (declared > S3Context.MAX_PUT_SIZE) {
            throw new S3Exception(S3Error.ENTITY_TOO_LARGE);
        }
        long free = ctx.objects().freeSpace();
        if (declared > free) {
            throw new S3Exception(S3Error.INSUFFICIENT_STORAGE, "This upload needs " + declared + " bytes; the store has "
                    + free + " free.");
        }
        byte[] contentMd5 = contentMd5(r.header("Content-MD5"));
        ChecksumRequest checksums = ChecksumRequest.of(r.http());
        InputStream body = r.auth().wrapBody(r.http().getInputStream());
        BodyWriter.Written w = BodyWriter.write(into, body, checksums.algorithms(), S3Context.MAX_PUT_SIZE, declared);
        if (declared >= 0 && w.size() != declared) {
            throw new S3Exception(S3Error.INCOMPLETE_BODY);
        }
        if (contentMd5 != null && !MessageDigest.isEqual(contentMd5, w.md5())) {
            throw new S3Exception(S3Error.BAD_DIGEST);
        }
        Map<String, String> stored = checksums.verify(w.checksums(), body);
        return new Received(w, HexFormat.of().formatHex(w.md5()), stored);
    }

    private static byte[] contentMd5(String header) {
        if (header == null) {
            return null;
        }
        try {
            byte[] md5 = Base64.getDecoder().decode(header.trim());
            if (md5.length != 16) {
                throw new S3Exception(S3Error.INVALID_DIGEST);
            }
            return md5;
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_DIGEST);
        }
    }
}
