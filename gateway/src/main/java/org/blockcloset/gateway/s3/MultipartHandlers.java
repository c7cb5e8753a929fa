package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.ledger.event.MultipartUploadAborted;
import org.blockcloset.ledger.event.MultipartUploadCreated;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;

/** CreateMultipartUpload, UploadPart, AbortMultipartUpload, ListParts, ListMultipartUploads. */
final class MultipartHandlers {
    static final int MAX_PART_NUMBER = 10_000;

    private final S3Context ctx;
    private final CompleteMultipartUpload completer;

    MultipartHandlers(S3Context ctx) {
        this.ctx = ctx;
        this.completer = new CompleteMultipartUpload(ctx);
    }

    void create(S3Request r, HttpServletResponse resp) throws IOException {
        org.blockcloset.ledger.model.Bucket bucket = ctx.requireBucket(r.bucket());
        PutObjectHandler.checkKey(r.key());
        ObjectMetadata meta = ObjectMetadata.from(r.http());
        java.util.Map<String, String> tags = Tags.fromHeader(r.header("x-amz-tagging"));
        ObjectLockHandlers.WriteLock lock = ObjectLockHandlers.fromHeaders(ctx, r, bucket);
        String algorithm = r.header("x-amz-checksum-algorithm");
        if (algorithm != null) {
            algorithm = ChecksumAlgorithm.fromName(algorithm.trim()).orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "Unsupported checksum algorithm.")).name();
        }
        String type = r.header("x-amz-checksum-type");
        if (algorithm != null && type == null) {
            type = algorithm.equals("CRC64NVME") ? "FULL_OBJECT" : "COMPOSITE";
        }
        String uploadId = UUID.randomUUID().toString().replace("-", "");
        Upload u = new Upload(r.bucket(), r.key(), uploadId, ctx.clock().instant(), r.actor(), meta.headers(),
                meta.user(), algorithm, type == null ? null : type.toUpperCase(Locale.ROOT), tags == null || tags.isEmpty() ? null : tags,
                lock == null ? null : lock.mode(), lock == null ? null : lock.until(), lock == null ? null : lock.legalHold(),
                Acls.fromHeader(r));
        ctx.append(r, new MultipartUploadCreated(u));
        if (algorithm != null) {
            resp.setHeader("x-amz-checksum-algorithm", algorithm);
            resp.setHeader("x-amz-checksum-type", u.checksumType());
        }
        Responses.xml(resp, Xml.doc("InitiateMultipartUploadResult")
                .el("Bucket", r.bucket()).el("Key", r.key()).el("UploadId", uploadId).finish());
    }

    static int partNumber(S3Request r) {
        try {
            int n = Integer.parseInt(r.param("partNumber"));
            if (n >= 1 && n <= MAX_PART_NUMBER) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new S3Exception(S3Error.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive");
    }

    static Upload requireUpload(S3Context ctx, S3Request r) {
        return ctx.lookUp(() -> ctx.views().upload(r.bucket(), r.key(), r.param("uploadId"))).orElseThrow(() -> {
            ctx.requireBucket(r.bucket());
            return new S3Exception(S3Error.NO_SUCH_UPLOAD);
        });
    }

    void uploadPart(S3Request r, HttpServletResponse resp) throws IOException {
        int number = partNumber(r);
        Upload u = requireUpload(ctx, r);
        String decoded = r.header("x-amz-decoded-content-length");
        org.blockcloset.ledger.model.Bucket bucket = r.scope().requireBucket();
        ctx.checkPartQuota(bucket, decoded != null && decoded.matches("\\d{1,18}") ? Long.parseLong(decoded)
                : r.http().getContentLengthLong());
        Part p;
        try (WriteSet write = ctx.objects().begin(bucket)) {
            BodyReceiver.Received body = BodyReceiver.receive(ctx, r, write);
            p = new Part(number, body.written().size(), '"' + body.md5Hex() + '"', ctx.clock().instant(),
                    body.checksums(), body.written().blocks());
            ctx.commit(r, write, new PartUploaded(u.bucket(), u.key(), u.uploadId(), p));
        }
        resp.setHeader("ETag", p.etag());
        p.checksums().forEach((a, v) -> resp.setHeader("x-amz-checksum-" + a.toLowerCase(Locale.ROOT), v));
        Responses.empty(resp, 200);
    }

    void complete(S3Request r, HttpServletResponse resp) throws IOException {
        completer.complete(r, resp);
    }

    void abort(S3Request r, HttpServletResponse resp) {
        Upload u = requireUpload(ctx, r);
        ctx.append(r, new MultipartUploadAborted(u.bucket(), u.key(), u.uploadId()));
        Responses.empty(resp, 204);
    }

    void listParts(S3Request r, HttpServletResponse resp) throws IOException {
        Upload u = requireUpload(ctx, r);
        int marker = intParam(r, "part-number-marker", 0);
        int max = Math.min(intParam(r, "max-parts", 1000), 1000);
        List<Part> parts = ctx.views().parts(u.uploadId(), marker, max + 1);
        boolean truncated = parts.size() > max;
        if (truncated) {
            parts = parts.subList(0, max);
        }
        Xml x = Xml.doc("ListPartsResult")
                .el("Bucket", u.bucket()).el("Key", u.key()).el("UploadId", u.uploadId())
                .el("PartNumberMarker", marker)
                .el("NextPartNumberMarker", parts.isEmpty() ? null : parts.get(parts.size() - 1).partNumber())
                .el("MaxParts", max).el("IsTruncated", truncated)
                .open("Initiator").el("ID", u.initiator()).el("DisplayName", u.initiator()).close()
                .open("Owner").el("ID", u.initiator()).el("DisplayName", u.initiator()).close()
                .el("StorageClass", "STANDARD")
                .el("ChecksumAlgorithm", u.checksumAlgorithm())
                .el("ChecksumType", u.checksumType());
        for (Part p : parts) {
            x.open("Part").el("PartNumber", p.partNumber()).el("LastModified", Responses.xmlDate(p.lastModified()))
                    .el("ETag", p.etag()).el("Size", p.size());
            if (p.checksums() != null) {
                p.checksums().forEach((a, v) -> x.el("Checksum" + a, v));
            }
            x.close();
        }
        Responses.xml(resp, x.finish());
    }

    void listUploads(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        String prefix = r.param("prefix") == null ? "" : r.param("prefix");
        String keyMarker = r.param("key-marker");
        String uploadIdMarker = r.param("upload-id-marker");
        int max = Math.min(intParam(r, "max-uploads", 1000), 1000);
        List<Upload> uploads = new ArrayList<>(ctx.views().uploads(r.bucket(), prefix, keyMarker, uploadIdMarker, max + 1));
        boolean truncated = uploads.size() > max;
        if (truncated) {
            uploads = uploads.subList(0, max);
        }
        UnaryOperator<String> enc = ListObjectsHandler.encoder(r);
        Upload last = uploads.isEmpty() ? null : uploads.get(uploads.size() - 1);
        Xml x = Xml.doc("ListMultipartUploadsResult")
                .el("Bucket", r.bucket())
                .el("KeyMarker", keyMarker == null ? "" : enc.apply(keyMarker))
                .el("UploadIdMarker", uploadIdMarker == null ? "" : uploadIdMarker)
                .el("NextKeyMarker", truncated ? enc.apply(last.key()) : null)
                .el("NextUploadIdMarker", truncated ? last.uploadId() : null)
                .el("Prefix", enc.apply(prefix))
                .el("MaxUploads", max).el("IsTruncated", truncated)
                .el("EncodingType", r.param("encoding-type"));
        for (Upload u : uploads) {
            x.open("Upload").el("Key", enc.apply(u.key())).el("UploadId", u.uploadId())
                    .open("Initiator").el("ID", u.initiator()).el("DisplayName", u.initiator()).close()
                    .open("Owner").el("ID", u.initiator()).el("DisplayName", u.initiator()).close()
                    .el("StorageClass", "STANDARD")
                    .el("Initiated", Responses.xmlDate(u.initiated()))
                    .el("ChecksumAlgorithm", u.checksumAlgorithm())
                    .close();
        }
        Responses.xml(resp, x.finish());
    }

    private static int intParam(S3Request r, String name, int dflt) {
        String v = r.param(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid value for " + name + ".");
        }
    }

    /** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-N". */
    static String multipartEtag(List<Part> parts) {
        MessageDigest md5 = BodyWriter.md5();
        for (Part p : parts) {
            md5.update(HexFormat.of().parseHex(p.etag().replace("\"", "")));
        }
        return '"' + HexFormat.of().formatHex(md5.digest()) + "-" + parts.size() + '"';
    }
}
