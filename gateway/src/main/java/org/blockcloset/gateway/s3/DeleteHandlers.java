package org.blockcloset.gateway.s3;

import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.w3c.dom.Element;

/** DeleteObject and DeleteObjects. Deleting a missing key succeeds, as in S3. */
final class DeleteHandlers {
    private static final int MAX_OBJECTS = 1000;

    private final S3Context ctx;

    DeleteHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    void deleteObject(S3Request r, HttpServletResponse resp) {
        delete(r, r.key());
        Responses.empty(resp, 204);
    }

    private void delete(S3Request r, String key) {
        ctx.requireBucket(r.bucket());
        if (ctx.views().object(r.bucket(), key).isPresent()) {
            ctx.append(r, new ObjectDeleted(r.bucket(), key));
        }
    }

    void deleteObjects(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        // Content-MD5 and x-amz-checksum-* protect this body too; verify them like an upload's.
        java.io.InputStream in = r.auth().wrapBody(r.http().getInputStream());
        byte[] body = in.readNBytes(XmlInput.MAX_BYTES + 1);
        BodyDigests.verify(r, body, in);
        Element root = XmlInput.read(new ByteArrayInputStream(body), "Delete");
        boolean quiet = "true".equalsIgnoreCase(XmlInput.text(root, "Quiet"));
        List<Element> objects = XmlInput.children(root, "Object");
        if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        Xml x = Xml.doc("DeleteResult");
        for (Element o : objects) {
            String key = XmlInput.text(o, "Key");
            try {
                if (key == null || key.isEmpty()) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "The key is empty.");
                }
                delete(r, key);
                if (!quiet) {
                    x.open("Deleted").el("Key", key).close();
                }
            } catch (S3Exception e) {
                x.open("Error").el("Key", key).el("Code", e.error().code()).el("Message", e.getMessage()).close();
            }
        }
        Responses.xml(resp, x.finish());
    }
}
