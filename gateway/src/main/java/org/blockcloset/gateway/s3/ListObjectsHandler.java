package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectSummary;
import org.blockcloset.ledger.view.ListPage;

/** ListObjects (v1) and ListObjectsV2, served from the ordered object index. */
final class ListObjectsHandler {
    static final int MAX_KEYS = 1000;

    private final S3Context ctx;

    ListObjectsHandler(S3Context ctx) {
        this.ctx = ctx;
    }

    void listObjectsV2(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket bucket = r.scope().requireBucket();
        String prefix = orEmpty(r.param("prefix"));
        // An empty delimiter is no delimiter: not applied, not echoed.
        String delimiter = r.param("delimiter") == null || r.param("delimiter").isEmpty() ? null : r.param("delimiter");
        int maxKeys = maxKeys(r.param("max-keys"));
        String token = r.param("continuation-token");
        String startAfter = r.param("start-after");
        String after = token != null ? decodeToken(token) : startAfter;
        ListPage page = maxKeys == 0 ? new ListPage(java.util.List.of(), java.util.List.of(), false, null)
                : ctx.views().list(r.bucket(), prefix, delimiter, after, maxKeys);
        UnaryOperator<String> enc = encoder(r);
        Xml x = Xml.doc("ListBucketResult")
                .el("Name", r.bucket())
                .el("Prefix", enc.apply(prefix))
                .el("StartAfter", startAfter == null ? null : enc.apply(startAfter))
                .el("ContinuationToken", token)
                .el("KeyCount", page.contents().size() + page.commonPrefixes().size())
                .el("MaxKeys", maxKeys)
                .el("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                .el("IsTruncated", page.truncated())
                .el("NextContinuationToken", page.truncated() ? encodeToken(page.next()) : null)
                .el("EncodingType", r.param("encoding-type"));
        contents(x, page, enc, "true".equals(r.param("fetch-owner")) ? ownerOf(bucket) : null);
        Responses.xml(resp, x.finish());
    }

    void listObjectsV1(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket bucket = r.scope().requireBucket();
        String prefix = orEmpty(r.param("prefix"));
        // An empty delimiter is no delimiter: not applied, not echoed.
        String delimiter = r.param("delimiter") == null || r.param("delimiter").isEmpty() ? null : r.param("delimiter");
        int maxKeys = maxKeys(r.param("max-keys"));
        String marker = r.param("marker");
        ListPage page = maxKeys == 0 ? new ListPage(java.util.List.of(), java.util.List.of(), false, null)
                : ctx.views().list(r.bucket(), prefix, delimiter, marker, maxKeys);
        UnaryOperator<String> enc = encoder(r);
        Xml x = Xml.doc("ListBucketResult")
                .el("Name", r.bucket())
                .el("Prefix", enc.apply(prefix))
                .el("Marker", enc.apply(orEmpty(marker)))
                .el("MaxKeys", maxKeys)
                .el("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                .el("IsTruncated", page.truncated())
                // S3 sends NextMarker only with a delimiter; clients otherwise resume from the last key.
                .el("NextMarker", page.truncated() && delimiter != null ? enc.apply(page.next()) : null)
                .el("EncodingType", r.param("encoding-type"));
        contents(x, page, enc, ownerOf(bucket));
        Responses.xml(resp, x.finish());
    }

    /**
     * The owner a listing names for the bucket's objects: the access key that made the bucket (a key
     * is the principal: its canonical id and display name are its id). Objects are written by their
     * bucket's owner or by keys it lets in; the listing names the bucket's owner for each.
     */
    static String ownerOf(Bucket bucket) {
        return bucket.owner() == null ? "blockcloset" : bucket.owner();
    }

    /** @param owner the owner to name for each object, or null to name none (ListObjectsV2 without fetch-owner) */
    private static void contents(Xml x, ListPage page, UnaryOperator<String> enc, String owner) {
        for (ObjectSummary o : page.contents()) {
            x.open("Contents")
                    .el("Key", enc.apply(o.key()))
                    .el("LastModified", Responses.xmlDate(o.lastModified()))
                    .el("ETag", o.etag())
                    .el("Size", o.size());
            if (o.checksums() != null) {
                o.checksums().keySet().forEach(a -> x.el("ChecksumAlgorithm", a));
            }
            if (owner != null) {
                x.open("Owner").el("ID", owner).el("DisplayName", owner).close();
            }
            x.el("StorageClass", "STANDARD").close();
        }
        for (String p : page.commonPrefixes()) {
            x.open("CommonPrefixes").el("Prefix", enc.apply(p)).close();
        }
    }

    static UnaryOperator<String> encoder(S3Request r) {
        String type = r.param("encoding-type");
        if (type == null) {
            return UnaryOperator.identity();
        }
        if (!type.equals("url")) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid Encoding Method specified in Request");
        }
        return s -> UriCodec.encode(s, true);
    }

    static int maxKeys(String value) {
        if (value == null) {
            return MAX_KEYS;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, MAX_KEYS);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Provided max-keys not an integer or within integer range");
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String encodeToken(String next) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(next.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The continuation token provided is incorrect");
        }
    }
}
