package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.w3c.dom.Element;

/** DeleteObject and DeleteObjects. Deleting a missing key succeeds, as in S3. */
final class DeleteHandlers {
    private static final int MAX_OBJECTS = 1000;

    private final S3Context ctx;

    private final Policies policies;

    DeleteHandlers(S3Context ctx, Policies policies) {
        this.policies = policies;
        this.ctx = ctx;
    }

    void deleteObject(S3Request r, HttpServletResponse resp) {
        Outcome o = delete(r, r.key(), r.param("versionId"), ObjectLockHandlers.bypass(r, ctx));
        if (o.versionId() != null) {
            resp.setHeader("x-amz-version-id", o.versionId());
        }
        if (o.deleteMarker()) {
            resp.setHeader("x-amz-delete-marker", "true");
        }
        Responses.empty(resp, 204);
    }

    /**
     * What a delete did: the version id it removed or the delete marker's it made (null in an
     * unversioned bucket), and whether that version is a delete marker.
     */
    record Outcome(String versionId, boolean deleteMarker) {
    }

    private Outcome delete(S3Request r, String key, String versionId, Boolean bypass) {
        org.blockcloset.ledger.model.Bucket bucket = ctx.requireBucket(r.bucket());
        String id = Versions.parse(versionId);
        if (!bucket.versioned()) {
            if ((id == null || id.equals("null")) && ctx.views().object(r.bucket(), key).isPresent()) {
                ctx.append(r, new ObjectDeleted(r.bucket(), key, id, bypass));
            }
            return new Outcome(id, false);
        }
        if (id == null) {
            // Always a new delete marker, whether or not the key has a current version (as in S3).
            var appended = ctx.append(r, new ObjectDeleted(r.bucket(), key, null, bypass));
            return new Outcome(Versions.made(ctx, r.bucket(), key, appended), true);
        }
        Permissions.checkVersionDelete(ctx.views().accessKey(r.actor()).orElse(null), r.bucket());
        var target = ctx.views().version(r.bucket(), key, id);
        if (target.isPresent()) {
            ctx.append(r, new ObjectDeleted(r.bucket(), key, id, bypass));
        }
        return new Outcome(id, target.map(org.blockcloset.ledger.model.ObjectVersion::marksDeletion).orElse(false));
    }

    void deleteObjects(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        // Content-MD5 and x-amz-checksum-* protect this body too; verify them like an upload's.
        Element root = XmlInput.readVerified(r, "Delete");
        boolean quiet = "true".equalsIgnoreCase(XmlInput.text(root, "Quiet"));
        List<Element> objects = XmlInput.children(root, "Object");
        if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        Boolean bypass = ObjectLockHandlers.bypass(r, ctx);
        Xml x = Xml.doc("DeleteResult");
        for (Element o : objects) {
            String key = XmlInput.text(o, "Key");
            String versionId = XmlInput.text(o, "VersionId");
            try {
                if (key == null || key.isEmpty()) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "The key is empty.");
                }
                policies.checkKey(r, key, versionId);
                Outcome done = delete(r, key, versionId, bypass);
                if (!quiet) {
                    x.open("Deleted").el("Key", key).el("VersionId", versionId);
                    if (done.deleteMarker()) {
                        x.el("DeleteMarker", true).el("DeleteMarkerVersionId", done.versionId());
                    }
                    x.close();
                }
            } catch (S3Exception e) {
                x.open("Error").el("Key", key).el("VersionId", versionId).el("Code", e.error().code()).el("Message", e.getMessage())
                        .close();
            }
        }
        Responses.xml(resp, x.finish());
    }
}
