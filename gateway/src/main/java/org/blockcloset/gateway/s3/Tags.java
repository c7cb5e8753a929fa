package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.w3c.dom.Element;

/**
 * S3 tags: read from an {@code x-amz-tagging} header (URL-encoded {@code k=v&k2=v2}) or a
 * {@code <Tagging><TagSet><Tag>} document, checked against S3's limits (10 tags on an object, 50 on
 * a bucket; keys up to 128 characters, values up to 256; unique keys; none starting "aws:"), and
 * written back as XML.
 */
final class Tags {
    static final int OBJECT_LIMIT = 10;
    static final int BUCKET_LIMIT = 50;

    private Tags() {
    }

    /** The header's tags, or null when there is no header. */
    static Map<String, String> fromHeader(String header) {
        if (header == null) {
            return null;
        }
        Map<String, String> tags = new LinkedHashMap<>();
        if (header.isEmpty()) {
            return tags;
        }
        for (String pair : header.split("&")) {
            int eq = pair.indexOf('=');
            String k = UriCodec.decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String v = eq < 0 ? "" : UriCodec.decode(pair.substring(eq + 1), true);
            if (tags.put(k, v) != null) {
                throw new S3Exception(S3Error.INVALID_TAG, "Cannot provide multiple Tags with the same key: " + k);
            }
        }
        return checked(tags, OBJECT_LIMIT);
    }

    static Map<String, String> fromXml(InputStream body, int limit) throws IOException {
        Element root = XmlInput.read(body, "Tagging");
        List<Element> sets = XmlInput.children(root, "TagSet");
        if (sets.size() != 1) {
            throw new S3Exception(S3Error.MALFORMED_XML, "A Tagging document holds one TagSet.");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element tag : XmlInput.children(sets.get(0), "Tag")) {
            String k = XmlInput.text(tag, "Key");
            String v = XmlInput.text(tag, "Value");
            if (k == null) {
                throw new S3Exception(S3Error.MALFORMED_XML, "A Tag needs a Key.");
            }
            if (tags.put(k, v == null ? "" : v) != null) {
                throw new S3Exception(S3Error.INVALID_TAG, "Cannot provide multiple Tags with the same key: " + k);
            }
        }
        return checked(tags, limit);
    }

    static Map<String, String> checked(Map<String, String> tags, int limit) {
        if (tags.size() > limit) {
            throw new S3Exception(S3Error.INVALID_TAG, "Object tags cannot be greater than " + limit);
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (t.getKey().isEmpty() || t.getKey().codePointCount(0, t.getKey().length()) > 128) {
                throw new S3Exception(S3Error.INVALID_TAG, "The TagKey you have provided is invalid");
            }
            if (t.getValue().codePointCount(0, t.getValue().length()) > 256) {
                throw new S3Exception(S3Error.INVALID_TAG, "The TagValue you have provided is invalid");
            }
            if (t.getKey().startsWith("aws:")) {
                throw new S3Exception(S3Error.INVALID_TAG, "Your TagKey cannot be prefixed with aws:");
            }
        }
        return new TreeMap<>(tags);
    }

    static byte[] xml(Map<String, String> tags) {
        Xml x = Xml.doc("Tagging").open("TagSet");
        if (tags != null) {
            tags.forEach((k, v) -> x.open("Tag").el("Key", k).el("Value", v).close());
        }
        return x.close().finish();
    }
}
