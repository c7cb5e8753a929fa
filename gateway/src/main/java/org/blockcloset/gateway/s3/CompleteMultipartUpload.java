package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.MultipartChecksums;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.ledger.event.MultipartUploadCompleted;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Precondition;
import org.blockcloset.ledger.model.Upload;
import org.blockcloset.storage.BlockNotFoundException;
import org.w3c.dom.Element;

/**
 * CompleteMultipartUpload: checks the client's part list against the stored parts, then records
 * the object as the concatenation of those parts' blocks. No byte is copied.
 */
final class CompleteMultipartUpload {
    static final long MIN_PART_SIZE = 5L << 20;

    private final S3Context ctx;

    CompleteMultipartUpload(S3Context ctx) {
        this.ctx = ctx;
    }

    void complete(S3Request r, HttpServletResponse resp) throws IOException {
        // Completing reads the upload's parts, which may have come through other gateways a moment
        // ago: it sees every write acknowledged anywhere before it, as a GET does (ADR 0009).
        ctx.readBarrier();
        Upload u = ctx.views().upload(r.bucket(), r.key(), r.param("uploadId")).orElse(null);
        if (u == null) {
            // A retried Complete whose first attempt did apply (the client saw a timeout or a 503):
            // the completed object carries the upload id as its version id. Answer as S3 does: success.
            ObjectVersion done = ctx.views().object(r.bucket(), r.key()).orElse(null);
            if (done != null && done.versionId().equals(r.param("uploadId"))) {
                Responses.drain(r.http().getInputStream(), XmlInput.MAX_BYTES);
                Versions.header(resp, ctx, done);
                respond(resp, done);
                return;
            }
            u = MultipartHandlers.requireUpload(ctx, r);
        }
        Precondition precondition = PutObjectHandler.writePrecondition(ctx, r);
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "CompleteMultipartUpload");
        List<Element> requested = XmlInput.children(root, "Part");
        if (requested.isEmpty()) {
            throw new S3Exception(S3Error.MALFORMED_XML, "You must specify at least one part.");
        }
        Map<Integer, Part> stored = new HashMap<>();
        ctx.views().parts(u.uploadId(), 0, MultipartHandlers.MAX_PART_NUMBER).forEach(p -> stored.put(p.partNumber(), p));
        // The same part number named twice in a row (a client that uploaded a part twice and kept
        // both answers): the later entry stands, as in S3's other implementations; the part stored is
        // the upload that came last in log order, and only its ETag matches.
        List<Element> entries = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        int previous = 0;
        for (Element e : requested) {
            int number;
            try {
                number = Integer.parseInt(XmlInput.text(e, "PartNumber").trim());
            } catch (RuntimeException ex) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            if (number < previous || number < 1) {
                throw new S3Exception(S3Error.INVALID_PART_ORDER);
            }
            if (number == previous) {
                entries.set(entries.size() - 1, e);
            } else {
                entries.add(e);
                numbers.add(number);
            }
            previous = number;
        }
        List<Part> chosen = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Element e = entries.get(i);
            int number = numbers.get(i);
            Part p = stored.get(number);
            String etag = XmlInput.text(e, "ETag");
            if (p == null || etag == null || !unquote(etag).equals(unquote(p.etag()))) {
                throw new S3Exception(S3Error.INVALID_PART);
            }
            // A part's checksum named in the request must be the one the part was stored with.
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String sent = XmlInput.text(e, "Checksum" + a.name());
                if (sent != null) {
                    String kept = p.checksums() == null ? null : p.checksums().get(a.name());
                    if (kept == null || !kept.equals(sent.trim())) {
                        throw new S3Exception(S3Error.INVALID_PART, "Part " + number + "'s " + a.name()
                                + " checksum does not match the one it was uploaded with.");
                    }
                }
            }
            chosen.add(p);
        }
        for (int i = 0; i < chosen.size() - 1; i++) {
            if (chosen.get(i).size() < MIN_PART_SIZE) {
                throw new S3Exception(S3Error.ENTITY_TOO_SMALL);
            }
        }
        Map<String, String> checksums = checksums(u, chosen);
        // A whole-object checksum sent with Complete must match the one the parts make.
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String sent = r.header("x-amz-checksum-" + a.name().toLowerCase(java.util.Locale.ROOT));
            if (sent != null) {
                String made = checksums.get(a.name());
                // A composite checksum reads "base64-N"; a client may send it with or without the part count.
                if (made == null || !(made.equals(sent.trim()) || made.startsWith(sent.trim() + "-"))) {
                    throw new S3Exception(S3Error.BAD_DIGEST, "The " + a.name() + " checksum sent with Complete does not match "
                            + "the parts'" + (made == null ? " (the upload was not created with that algorithm)" : "") + ".");
                }
            }
        }
        List<BlockRef> blocks = new ArrayList<>();
        List<Long> partSizes = new ArrayList<>();
        long size = 0;
        for (Part p : chosen) {
            blocks.addAll(p.blocks());
            partSizes.add(p.size());
            size += p.size();
        }
        String etag = MultipartHandlers.multipartEtag(chosen);
        ObjectVersion o = new ObjectVersion(u.bucket(), u.key(), u.uploadId(), size, etag,
                ctx.clock().instant(), u.headers(), u.userMetadata(), checksums,
                checksums.isEmpty() ? null : u.checksumType(), partSizes, blocks).withTags(u.tags())
                .withLock(u.lockMode(), u.retainUntil(), u.legalHold()).withAcl(u.acl());
        // A concurrent UploadPart may replace a chosen part before this event applies, leaving its
        // old blocks briefly unreferenced: pin them so GC cannot take them in that window.
        try (WriteSet write = ctx.objects().begin(r.bucket())) {
            try {
                write.reuse(blocks.stream().map(BlockRef::id).toList());
            } catch (BlockNotFoundException e) {
                throw new S3Exception(S3Error.INVALID_PART, "A part was replaced while the upload was being completed.");
            }
            Versions.madeHeader(resp, ctx, r.bucket(), r.key(), ctx.commit(r, write,
                    new MultipartUploadCompleted(u.uploadId(), o, precondition)));
        }
        respond(resp, o);
    }

    private static void respond(HttpServletResponse resp, ObjectVersion o) throws IOException {
        ObjectHeaders.checksums(resp, o);
        Xml x = Xml.doc("CompleteMultipartUploadResult")
                .el("Location", "/" + o.bucket() + "/" + UriCodec.encode(o.key(), true))
                .el("Bucket", o.bucket()).el("Key", o.key()).el("ETag", o.etag());
        if (o.checksums() != null) {
            o.checksums().forEach((a, v) -> x.el("Checksum" + a, v));
        }
        Responses.xml(resp, x.el("ChecksumType", o.checksumType()).finish());
    }

    private static Map<String, String> checksums(Upload u, List<Part> parts) {
        Map<String, String> out = new TreeMap<>();
        if (u.checksumAlgorithm() == null) {
            return out;
        }
        ChecksumAlgorithm a = ChecksumAlgorithm.valueOf(u.checksumAlgorithm());
        List<byte[]> digests = new ArrayList<>();
        List<MultipartChecksums.Part> sized = new ArrayList<>();
        for (Part p : parts) {
            String v = p.checksums() == null ? null : p.checksums().get(a.name());
            if (v == null) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Part " + p.partNumber() + " was uploaded without the "
                        + a.name() + " checksum the upload was created with.");
            }
            byte[] d = Base64.getDecoder().decode(v);
            digests.add(d);
            sized.add(new MultipartChecksums.Part(d, p.size()));
        }
        out.put(a.name(), "FULL_OBJECT".equals(u.checksumType())
                ? MultipartChecksums.fullObject(a, sized)
                : MultipartChecksums.composite(a, digests));
        return out;
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        return t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2 ? t.substring(1, t.length() - 1) : t;
    }
}
