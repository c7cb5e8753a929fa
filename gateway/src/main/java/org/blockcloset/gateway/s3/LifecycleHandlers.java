package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.blockcloset.ledger.event.BucketLifecycleChanged;
import org.blockcloset.ledger.model.Bucket;
import org.w3c.dom.Element;

/** Get/Put/DeleteBucketLifecycle(Configuration) (ADR 0014); the rules run in {@code object.Lifecycle}. */
final class LifecycleHandlers {
    private static final int MAX_RULES = 1000;

    private final S3Context ctx;

    LifecycleHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    void get(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        if (b.lifecycle() == null) {
            throw new S3Exception(S3Error.NO_SUCH_LIFECYCLE_CONFIGURATION);
        }
        Xml x = Xml.doc("LifecycleConfiguration");
        for (Bucket.LifecycleRule rule : b.lifecycle()) {
            x.open("Rule").el("ID", rule.id());
            if (Boolean.TRUE.equals(rule.prefixOutsideFilter())) {
                x.el("Prefix", rule.prefix() == null ? "" : rule.prefix()); // as it was given: S3's older form
            } else {
                x.open("Filter");
                int parts = (rule.prefix() == null ? 0 : 1) + (rule.tags() == null ? 0 : rule.tags().size())
                        + (rule.objectSizeGreaterThan() == null ? 0 : 1) + (rule.objectSizeLessThan() == null ? 0 : 1);
                if (parts > 1) {
                    x.open("And");
                }
                x.el("Prefix", rule.prefix() == null && parts == 0 ? "" : rule.prefix());
                if (rule.tags() != null) {
                    rule.tags().forEach((k, v) -> x.open("Tag").el("Key", k).el("Value", v).close());
                }
                x.el("ObjectSizeGreaterThan", rule.objectSizeGreaterThan()).el("ObjectSizeLessThan", rule.objectSizeLessThan());
                if (parts > 1) {
                    x.close();
                }
                x.close();
            }
            x.el("Status", rule.enabled() ? "Enabled" : "Disabled");
            if (rule.expirationDays() != null || rule.expirationDate() != null || rule.expiredObjectDeleteMarker() != null) {
                x.open("Expiration").el("Days", rule.expirationDays())
                        .el("Date", rule.expirationDate() == null ? null : Responses.xmlDate(rule.expirationDate()))
                        .el("ExpiredObjectDeleteMarker", rule.expiredObjectDeleteMarker()).close();
            }
            if (rule.noncurrentDays() != null) {
                x.open("NoncurrentVersionExpiration").el("NoncurrentDays", rule.noncurrentDays())
                        .el("NewerNoncurrentVersions", rule.newerNoncurrentVersions()).close();
            }
            if (rule.abortIncompleteUploadDays() != null) {
                x.open("AbortIncompleteMultipartUpload").el("DaysAfterInitiation", rule.abortIncompleteUploadDays()).close();
            }
            x.close();
        }
        Responses.xml(resp, x.finish());
    }

    void put(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        Element root = XmlInput.readVerified(r, "LifecycleConfiguration");
        List<Element> elements = XmlInput.children(root, "Rule");
        if (elements.isEmpty() || elements.size() > MAX_RULES) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        List<Bucket.LifecycleRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Element e : elements) {
            rules.add(rule(e, ids));
        }
        ctx.append(r, new BucketLifecycleChanged(r.bucket(), rules));
        Responses.empty(resp, 200);
    }

    void delete(S3Request r, HttpServletResponse resp) {
        ctx.requireBucket(r.bucket());
        ctx.append(r, new BucketLifecycleChanged(r.bucket(), null));
        Responses.empty(resp, 204);
    }

    private static Bucket.LifecycleRule rule(Element e, Set<String> ids) {
        String id = XmlInput.text(e, "ID");
        if (id != null && id.length() > 255) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "ID length should not exceed allowed limit of 255");
        }
        if (id != null && !ids.add(id)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Rule ID must be unique. Found same ID for more than one rule");
        }
        String status = XmlInput.text(e, "Status");
        if (!"Enabled".equals(status) && !"Disabled".equals(status)) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        for (String refused : List.of("Transition", "NoncurrentVersionTransition")) {
            if (!XmlInput.children(e, refused).isEmpty()) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, refused + " is not implemented: this store has one storage class.");
            }
        }
        String prefix = XmlInput.text(e, "Prefix");
        boolean prefixOutsideFilter = prefix != null;
        Map<String, String> tags = new TreeMap<>();
        Long larger = null;
        Long smaller = null;
        List<Element> filters = XmlInput.children(e, "Filter");
        if (!filters.isEmpty()) {
            if (prefix != null) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            Element f = filters.get(0);
            List<Element> and = XmlInput.children(f, "And");
            Element scope = and.isEmpty() ? f : and.get(0);
            larger = size(XmlInput.text(scope, "ObjectSizeGreaterThan"), "ObjectSizeGreaterThan");
            smaller = size(XmlInput.text(scope, "ObjectSizeLessThan"), "ObjectSizeLessThan");
            if (larger != null && smaller != null && smaller <= larger) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "ObjectSizeLessThan must be greater than ObjectSizeGreaterThan.");
            }
            int conditions = (XmlInput.text(scope, "Prefix") == null ? 0 : 1) + XmlInput.children(scope, "Tag").size()
                    + (larger == null ? 0 : 1) + (smaller == null ? 0 : 1);
            if (and.isEmpty() && conditions > 1) {
                throw new S3Exception(S3Error.MALFORMED_XML); // more than one condition needs And
            }
            prefix = XmlInput.text(scope, "Prefix");
            for (Element t : XmlInput.children(scope, "Tag")) {
                String k = XmlInput.text(t, "Key");
                if (k == null || tags.put(k, String.valueOf(XmlInput.text(t, "Value"))) != null) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "Duplicate Tag Keys are not allowed.");
                }
            }
        }
        Integer days = null;
        Instant date = null;
        Boolean marker = null;
        List<Element> exp = XmlInput.children(e, "Expiration");
        if (!exp.isEmpty()) {
            days = positive(XmlInput.text(exp.get(0), "Days"), "Days");
            String d = XmlInput.text(exp.get(0), "Date");
            if (d != null) {
                try {
                    date = java.time.OffsetDateTime.parse(d.trim().length() == 10 ? d.trim() + "T00:00:00Z" : d.trim()).toInstant();
                } catch (java.time.format.DateTimeParseException bad) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "'Date' must be at midnight GMT");
                }
                if (date.getEpochSecond() % 86_400 != 0 || date.getNano() != 0) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "'Date' must be at midnight GMT");
                }
            }
            String m = XmlInput.text(exp.get(0), "ExpiredObjectDeleteMarker");
            if (m != null) {
                marker = Boolean.parseBoolean(m.trim());
            }
            int given = (days == null ? 0 : 1) + (date == null ? 0 : 1) + (marker == null ? 0 : 1);
            if (given != 1) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            if (marker != null && (larger != null || smaller != null)) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "ExpiredObjectDeleteMarker cannot be specified with object size filters.");
            }
            if (marker != null && !tags.isEmpty()) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "ExpiredObjectDeleteMarker cannot be specified with tags.");
            }
        }
        Integer noncurrent = null;
        Integer newer = null;
        List<Element> nve = XmlInput.children(e, "NoncurrentVersionExpiration");
        if (!nve.isEmpty()) {
            noncurrent = positive(XmlInput.text(nve.get(0), "NoncurrentDays"), "NoncurrentDays");
            newer = positive(XmlInput.text(nve.get(0), "NewerNoncurrentVersions"), "NewerNoncurrentVersions");
            if (noncurrent == null) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
        }
        Integer abort = null;
        List<Element> ab = XmlInput.children(e, "AbortIncompleteMultipartUpload");
        if (!ab.isEmpty()) {
            abort = positive(XmlInput.text(ab.get(0), "DaysAfterInitiation"), "DaysAfterInitiation");
            if (abort == null) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            if (!tags.isEmpty() || larger != null || smaller != null) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "AbortIncompleteMultipartUpload cannot be specified with Tags or "
                        + "object size filters.");
            }
        }
        if (exp.isEmpty() && nve.isEmpty() && ab.isEmpty()) {
            throw new S3Exception(S3Error.MALFORMED_XML, "At least one action needs to be specified in a rule.");
        }
        return new Bucket.LifecycleRule(id, "Enabled".equals(status), prefix == null || prefix.isEmpty() ? null : prefix,
                tags.isEmpty() ? null : tags, days, date, marker, noncurrent, newer, abort, larger, smaller,
                prefixOutsideFilter ? Boolean.TRUE : null);
    }

    /** A size filter's bytes: a whole number, 0 or more; null when absent. */
    private static Long size(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "'" + name + "' must be a whole number of bytes, 0 or more");
        }
    }

    private static Integer positive(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "'" + name + "' for Expiration action must be a positive integer");
        }
    }
}
