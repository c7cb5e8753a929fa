package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.blockcloset.ledger.model.ObjectVersion;

/** GetObjectAttributes: ETag, Checksum, ObjectParts (sizes, paged), StorageClass, ObjectSize. */
final class ObjectAttributesHandler {
    private static final Set<String> KNOWN = Set.of("etag", "checksum", "objectparts", "storageclass", "objectsize");
    private final S3Context ctx;

    ObjectAttributesHandler(S3Context ctx) {
        this.ctx = ctx;
    }

    void getObjectAttributes(S3Request r, HttpServletResponse resp) throws IOException {
        // Clients send the list in one header or in one header line per attribute.
        String header = String.join(",", java.util.Collections.list(r.http().getHeaders("x-amz-object-attributes")));
        if (header == null || header.isBlank()) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "x-amz-object-attributes names the attributes to return.");
        }
        Set<String> wanted = Arrays.stream(header.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        if (!KNOWN.containsAll(wanted)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid attribute name specified: " + header);
        }
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Versions.header(resp, ctx, o);
        resp.setHeader("Last-Modified", Responses.httpDate(o.lastModified()));
        Xml x = Xml.doc("GetObjectAttributesResponse");
        if (wanted.contains("etag")) {
            x.el("ETag", o.etag().replace("\"", ""));
        }
        if (wanted.contains("checksum") && o.checksums() != null && !o.checksums().isEmpty()) {
            x.open("Checksum");
            o.checksums().forEach((a, v) -> x.el("Checksum" + a, v));
            if (o.checksumType() != null) {
                x.el("ChecksumType", o.checksumType());
            }
            x.close();
        }
        if (wanted.contains("objectparts") && o.partSizes() != null) {
            List<Long> sizes = o.partSizes();
            int marker = intParam(r.header("x-amz-part-number-marker"), 0);
            int max = Math.min(1000, intParam(r.header("x-amz-max-parts"), 1000));
            int end = Math.min(sizes.size(), marker + max);
            x.open("ObjectParts").el("PartsCount", Integer.toString(sizes.size()))
                    .el("PartNumberMarker", Integer.toString(marker))
                    .el("NextPartNumberMarker", Integer.toString(end))
                    .el("MaxParts", Integer.toString(max))
                    .el("IsTruncated", Boolean.toString(end < sizes.size()));
            for (int i = marker; i < end; i++) {
                x.open("Part").el("PartNumber", Integer.toString(i + 1)).el("Size", Long.toString(sizes.get(i))).close();
            }
            x.close();
        }
        if (wanted.contains("storageclass")) {
            x.el("StorageClass", "STANDARD");
        }
        if (wanted.contains("objectsize")) {
            x.el("ObjectSize", Long.toString(o.size()));
        }
        Responses.xml(resp, x.finish());
    }

    private static int intParam(String v, int otherwise) {
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Not a part number or count: " + v);
        }
    }
}
