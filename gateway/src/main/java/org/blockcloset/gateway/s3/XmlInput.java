package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** Parses the small XML request bodies (DeleteObjects, CompleteMultipartUpload), with DTDs refused. */
final class XmlInput {
    /** Request documents are small; a bigger body is refused before parsing. */
    static final int MAX_BYTES = 2 << 20;

    private XmlInput() {
    }

    static Element read(InputStream body, String expectedRoot) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw new S3Exception(S3Error.MALFORMED_XML, "The XML document is too large.");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setNamespaceAware(true);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Document doc = b.parse(new ByteArrayInputStream(bytes));
            Element root = doc.getDocumentElement();
            if (!expectedRoot.equals(root.getLocalName())) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            return root;
        } catch (SAXException | ParserConfigurationException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
    }

    /**
     * A request's XML document, whole (at most {@link #MAX_BYTES}), after its Content-MD5 and
     * x-amz-checksum-* are verified like an upload's, and its payload signature with them.
     */
    static Element readVerified(S3Request r, String expectedRoot) throws IOException {
        InputStream in = r.auth().wrapBody(r.http().getInputStream());
        byte[] body = in.readNBytes(MAX_BYTES + 1);
        BodyDigests.verify(r, body, in);
        return read(new ByteArrayInputStream(body), expectedRoot);
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    static String text(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0).getTextContent();
    }
}
