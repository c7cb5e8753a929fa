package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.Hasher;
import org.blockcloset.gateway.object.ObjectService;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;
import org.blockcloset.storage.BlockNotFoundException;

/**
 * CopyObject and UploadPartCopy. Blocks are content-addressed, so a copy references the source's
 * blocks instead of copying bytes; only blocks cut by a copy range are rewritten.
 */
final class CopyObjectHandler {
    private final S3Context ctx;

    CopyObjectHandler(S3Context ctx) {
        this.ctx = ctx;
    }

    /** @param versionId the source's ?versionId, null for its current version */
    record Source(String bucket, String key, String versionId) {
    }

    static Source parseSource(String header) {
        String s = header.trim();
        int q = s.indexOf('?');
        String versionId = null;
        if (q >= 0) {
            String query = s.substring(q + 1);
            s = s.substring(0, q);
            versionId = UriCodec.parseQuery(query).get("versionId");
            if (versionId == null && !query.isEmpty()) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "Copy Source may name only a versionId.");
            }
        }
        s = UriCodec.decode(s, false);
        if (s.startsWith("/")) {
            s = s.substring(1);
        }
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }
        return new Source(s.substring(0, slash), s.substring(slash + 1), versionId);
    }

    private ObjectVersion source(S3Request r) {
        Source s = parseSource(r.header("x-amz-copy-source"));
        // Copying reads the source: it sees every write acknowledged anywhere before, like a GET.
        ctx.readBarrier();
        ObjectVersion o = Versions.find(ctx, s.bucket(), s.key(), s.versionId());
        Conditionals.evaluateCopySource(r, o);
        return o;
    }

    void copyObject(S3Request r, HttpServletResponse resp) throws IOException {
        org.blockcloset.ledger.model.Bucket bucket = ctx.requireBucket(r.bucket());
        PutObjectHandler.checkKey(r.key());
        ObjectLockHandlers.WriteLock lock = ObjectLockHandlers.fromHeaders(ctx, r, bucket);
        ObjectVersion src = source(r);
        boolean replace = "REPLACE".equalsIgnoreCase(r.header("x-amz-metadata-directive"));
        if (!replace && src.bucket().equals(r.bucket()) && src.key().equals(r.key())
                && parseSource(r.header("x-amz-copy-source")).versionId() == null) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "This copy request is illegal because it is trying to copy an "
                    + "object to itself without changing the object's metadata, storage class, website redirect "
                    + "location or encryption attributes.");
        }
        Map<String, String> headers = src.headers();
        Map<String, String> user = src.userMetadata();
        if (replace) {
            ObjectMetadata meta = ObjectMetadata.from(r.http());
            headers = meta.headers();
            user = meta.user();
        }
        String tagging = r.header("x-amz-tagging-directive");
        if (tagging != null && !tagging.trim().equalsIgnoreCase("COPY") && !tagging.trim().equalsIgnoreCase("REPLACE")) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unknown tagging directive: " + tagging);
        }
        // COPY (the default) keeps the source's tags; REPLACE takes those of x-amz-tagging (none without it).
        Map<String, String> tags = tagging != null && tagging.trim().equalsIgnoreCase("REPLACE")
                ? Tags.fromHeader(r.header("x-amz-tagging")) : src.tags();
        ObjectVersion copy = new ObjectVersion(r.bucket(), r.key(), UUID.randomUUID().toString(), src.size(), src.etag(),
                ctx.clock().instant(), headers, user, src.checksums(), src.checksumType(), src.partSizes(), src.blocks()).withTags(tags)
                .withAcl(Acls.fromHeader(r));
        // The copy shares the source's blocks: pin them until the copy's event references them, in
        // case the source is deleted meanwhile (its blocks may be old enough for GC at once).
        try (WriteSet write = ctx.objects().begin(r.bucket())) {
            reuseSource(write, src.blocks(), 0, src.size() - 1);
            if (lock != null) {
                copy = lock.applyTo(copy);
            }
            Versions.madeHeader(resp, ctx, r.bucket(), r.key(), ctx.commit(r, write, new ObjectPut(copy)));
        }
        if (ctx.views().bucket(src.bucket()).map(org.blockcloset.ledger.model.Bucket::versioned).orElse(false)) {
            resp.setHeader("x-amz-copy-source-version-id", src.s3VersionIdOrNull());
        }
        Xml x = Xml.doc("CopyObjectResult").el("LastModified", Responses.xmlDate(copy.lastModified())).el("ETag", copy.etag());
        if (copy.checksums() != null) {
            copy.checksums().forEach((a, v) -> x.el("Checksum" + a, v));
        }
        Responses.xml(resp, x.finish());
    }

    void uploadPartCopy(S3Request r, HttpServletResponse resp) throws IOException {
        int number = MultipartHandlers.partNumber(r);
        Upload u = MultipartHandlers.requireUpload(ctx, r);
        ObjectVersion src = source(r);
        if (ctx.views().bucket(src.bucket()).map(org.blockcloset.ledger.model.Bucket::versioned).orElse(false)) {
            resp.setHeader("x-amz-copy-source-version-id", src.s3VersionIdOrNull());
        }
        ByteRange range = copySourceRange(r.header("x-amz-copy-source-range"), src.size());
        long first = range == null ? 0 : range.first();
        long last = range == null ? src.size() - 1 : range.last();
        // The upload's checksum algorithm applies to copied parts too, or Complete could not combine them.
        Hasher checksum = u.checksumAlgorithm() == null ? null : ChecksumAlgorithm.valueOf(u.checksumAlgorithm()).newHasher();
        if (last - first + 1 > S3Context.MAX_PUT_SIZE) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
        }
        Part p;
        String etag;
        Map<String, String> checksums;
        try (WriteSet write = ctx.objects().begin(r.bucket())) {
            reuseSource(write, src.blocks(), first, last);
            MessageDigest md5 = BodyWriter.md5();
            List<BlockRef> blocks = slice(write, src.blocks(), first, last, md5, checksum);
            etag = '"' + HexFormat.of().formatHex(md5.digest()) + '"';
            checksums = checksum == null ? null : Map.of(u.checksumAlgorithm(), checksum.base64());
            p = new Part(number, Math.max(0, last - first + 1), etag, ctx.clock().instant(), checksums, blocks);
            ctx.commit(r, write, new PartUploaded(u.bucket(), u.key(), u.uploadId(), p));
        }
        Xml x = Xml.doc("CopyPartResult").el("LastModified", Responses.xmlDate(p.lastModified())).el("ETag", etag);
        if (checksums != null) {
            checksums.forEach((a, v) -> x.el("Checksum" + a, v));
        }
        Responses.xml(resp, x.finish());
    }

    private static final java.util.regex.Pattern COPY_RANGE = java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d+)");

    /** x-amz-copy-source-range is strictly {@code bytes=first-last}, inside the source (null: the whole source). */
    static ByteRange copySourceRange(String header, long size) {
        if (header == null) {
            return null;
        }
        java.util.regex.Matcher m = COPY_RANGE.matcher(header.trim());
        if (!m.matches()) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The x-amz-copy-source-range value must be of the form "
                    + "bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
        }
        long first;
        long last;
        try {
            first = Long.parseLong(m.group(1));
            last = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The x-amz-copy-source-range is out of range.");
        }
        if (first > last || last >= size) {
            throw new S3Exception(S3Error.INVALID_RANGE, "The x-amz-copy-source-range is not satisfiable for a source of "
                    + size + " bytes.");
        }
        return new ByteRange(first, last);
    }

    /** Pins the source blocks a copy reuses; a block already gone means the source went away. */
    private static void reuseSource(WriteSet write, List<BlockRef> blocks, long first, long last) throws IOException {
        try {
            write.reuse(ObjectService.idsInRange(blocks, first, last));
        } catch (BlockNotFoundException e) {
            throw new S3Exception(S3Error.NO_SUCH_KEY, "The copy source was deleted while it was being copied.");
        }
    }

    /**
     * The blocks of bytes first..last: whole blocks are shared, cut ones rewritten into the write
     * set. Hashes every byte for the ETag.
     */
    private List<BlockRef> slice(WriteSet write, List<BlockRef> blocks, long first, long last, MessageDigest md5,
                                 Hasher checksum) throws IOException {
        List<BlockRef> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(ctx.objects().blockSize());
        long pos = 0;
        for (BlockRef b : blocks) {
            long blockFirst = pos;
            pos += b.size();
            if (pos - 1 < first || blockFirst > last) {
                continue;
            }
            if (buf.capacity() < b.size()) {
                buf = ByteBuffer.allocate((int) b.size());
            }
            ctx.objects().readBlock(b, buf);
            int from = (int) Math.max(0, first - blockFirst);
            int to = (int) Math.min(b.size() - 1, last - blockFirst);
            md5.update(buf.array(), from, to - from + 1);
            if (checksum != null) {
                checksum.update(buf.array(), from, to - from + 1);
            }
            if (from == 0 && to == b.size() - 1) {
                out.add(b);
            } else {
                write.write(buf.array(), from, to - from + 1);
                out.addAll(write.endRun());
            }
        }
        return out;
    }
}
