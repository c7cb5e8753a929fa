package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.UnaryOperator;
import org.blockcloset.ledger.event.BucketVersioningChanged;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectSummary;
import org.blockcloset.ledger.view.ListPage;
import org.blockcloset.ledger.view.VersionPage;
import org.w3c.dom.Element;

/** Get/PutBucketVersioning and ListObjectVersions (ADR 0013). */
final class VersioningHandlers {
    private final S3Context ctx;

    VersioningHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    void getBucketVersioning(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        Responses.xml(resp, Xml.doc("VersioningConfiguration").el("Status", b.versioning()).finish());
    }

    void putBucketVersioning(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "VersioningConfiguration");
        String status = XmlInput.text(root, "Status");
        if ("Enabled".equals(XmlInput.text(root, "MfaDelete"))) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "MFA delete is not implemented.");
        }
        if (status == null) {
            Responses.empty(resp, 200); // no Status: nothing changes, as in S3
            return;
        }
        if (!status.equals(Bucket.ENABLED) && !status.equals(Bucket.SUSPENDED)) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (b.locked() && !status.equals(Bucket.ENABLED)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_STATE, "An Object Lock configuration is present on this bucket, "
                    + "so the versioning state cannot be changed.");
        }
        ctx.append(r, new BucketVersioningChanged(r.bucket(), status));
        Responses.empty(resp, 200);
    }

    void listObjectVersions(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        String prefix = r.param("prefix") == null ? "" : r.param("prefix");
        String delimiter = r.param("delimiter") == null || r.param("delimiter").isEmpty() ? null : r.param("delimiter");
        int maxKeys = ListObjectsHandler.maxKeys(r.param("max-keys"));
        String keyMarker = r.param("key-marker");
        String versionIdMarker = r.param("version-id-marker");
        if (versionIdMarker != null && !versionIdMarker.isEmpty()) {
            if (keyMarker == null || keyMarker.isEmpty()) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "A version-id marker cannot be specified without a key marker.");
            }
            Versions.parse(versionIdMarker);
        }
        UnaryOperator<String> enc = ListObjectsHandler.encoder(r);
        Xml x = Xml.doc("ListVersionsResult")
                .el("Name", r.bucket())
                .el("Prefix", enc.apply(prefix))
                .el("KeyMarker", keyMarker == null ? "" : enc.apply(keyMarker))
                .el("VersionIdMarker", versionIdMarker == null ? "" : versionIdMarker);
        if (!b.versioned()) {
            // Every object is its key's only version, the null one.
            ListPage page = maxKeys == 0 ? new ListPage(java.util.List.of(), java.util.List.of(), false, null)
                    : ctx.views().list(r.bucket(), prefix, delimiter, keyMarker, maxKeys);
            boolean prefixLast = page.truncated() && page.commonPrefixes().contains(page.next());
            x.el("NextKeyMarker", page.truncated() ? enc.apply(page.next()) : null)
                    .el("NextVersionIdMarker", page.truncated() && !prefixLast ? "null" : null)
                    .el("MaxKeys", maxKeys)
                    .el("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                    .el("IsTruncated", page.truncated());
            for (ObjectSummary o : page.contents()) {
                version(x, o, true, enc, ListObjectsHandler.ownerOf(b));
            }
            prefixes(x, page.commonPrefixes(), enc);
        } else {
            VersionPage page = maxKeys == 0 ? new VersionPage(java.util.List.of(), java.util.List.of(), false, null, null)
                    : ctx.views().listVersions(r.bucket(), prefix, delimiter, keyMarker, versionIdMarker, maxKeys);
            x.el("NextKeyMarker", page.nextKeyMarker() == null ? null : enc.apply(page.nextKeyMarker()))
                    .el("NextVersionIdMarker", page.nextVersionIdMarker())
                    .el("MaxKeys", maxKeys)
                    .el("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                    .el("IsTruncated", page.truncated());
            for (VersionPage.Entry e : page.versions()) {
                version(x, e.version(), e.latest(), enc, ListObjectsHandler.ownerOf(b));
            }
            prefixes(x, page.commonPrefixes(), enc);
        }
        x.el("EncodingType", r.param("encoding-type"));
        Responses.xml(resp, x.finish());
    }

    private static void version(Xml x, ObjectSummary o, boolean latest, UnaryOperator<String> enc, String owner) {
        if (o.marksDeletion()) {
            x.open("DeleteMarker").el("Key", enc.apply(o.key())).el("VersionId", o.s3VersionIdOrNull()).el("IsLatest", latest)
                    .el("LastModified", Responses.xmlDate(o.lastModified()))
                    .open("Owner").el("ID", owner).el("DisplayName", owner).close()
                    .close();
            return;
        }
        x.open("Version").el("Key", enc.apply(o.key())).el("VersionId", o.s3VersionIdOrNull()).el("IsLatest", latest)
                .el("LastModified", Responses.xmlDate(o.lastModified())).el("ETag", o.etag()).el("Size", o.size());
        if (o.checksums() != null) {
            o.checksums().keySet().forEach(a -> x.el("ChecksumAlgorithm", a));
        }
        x.open("Owner").el("ID", owner).el("DisplayName", owner).close()
                .el("StorageClass", "STANDARD").close();
    }

    private static void prefixes(Xml x, java.util.List<String> prefixes, UnaryOperator<String> enc) {
        for (String p : prefixes) {
            x.open("CommonPrefixes").el("Prefix", enc.apply(p)).close();
        }
    }
}
