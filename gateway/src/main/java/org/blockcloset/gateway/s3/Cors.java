package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.blockcloset.ledger.event.BucketCorsChanged;
import org.blockcloset.ledger.model.Bucket;
import org.w3c.dom.Element;

/**
 * Bucket CORS (ADR 0014): the configuration (Get/Put/DeleteBucketCors), the preflight OPTIONS a
 * browser sends before a cross-origin request, and the Access-Control-* headers on the requests
 * a rule matches. Rules are tried in order; the first that matches the origin, the method and
 * (for a preflight) every requested header answers, as in S3.
 */
final class Cors {
    private static final Set<String> METHODS = Set.of("GET", "PUT", "HEAD", "POST", "DELETE");
    private static final int MAX_RULES = 100;

    private final S3Context ctx;

    Cors(S3Context ctx) {
        this.ctx = ctx;
    }

    void getBucketCors(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        if (b.cors() == null) {
            throw new S3Exception(S3Error.NO_SUCH_CORS_CONFIGURATION);
        }
        Xml x = Xml.doc("CORSConfiguration");
        for (Bucket.CorsRule rule : b.cors()) {
            x.open("CORSRule").el("ID", rule.id());
            rule.allowedHeaders().forEach(h -> x.el("AllowedHeader", h));
            rule.allowedMethods().forEach(m -> x.el("AllowedMethod", m));
            rule.allowedOrigins().forEach(o -> x.el("AllowedOrigin", o));
            rule.exposeHeaders().forEach(h -> x.el("ExposeHeader", h));
            x.el("MaxAgeSeconds", rule.maxAgeSeconds()).close();
        }
        Responses.xml(resp, x.finish());
    }

    void putBucketCors(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        Element root = XmlInput.readVerified(r, "CORSConfiguration");
        List<Element> ruleElements = XmlInput.children(root, "CORSRule");
        if (ruleElements.isEmpty() || ruleElements.size() > MAX_RULES) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        List<Bucket.CorsRule> rules = new ArrayList<>();
        for (Element e : ruleElements) {
            List<String> origins = texts(e, "AllowedOrigin");
            List<String> methods = texts(e, "AllowedMethod");
            if (origins.isEmpty() || methods.isEmpty()) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            for (String m : methods) {
                if (!METHODS.contains(m)) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
                }
            }
            for (String o : origins) {
                if (o.indexOf('*') != o.lastIndexOf('*')) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "AllowedOrigin \"" + o + "\" can not have more than one wildcard.");
                }
            }
            Integer maxAge = null;
            String age = XmlInput.text(e, "MaxAgeSeconds");
            if (age != null) {
                try {
                    maxAge = Integer.parseInt(age.trim());
                } catch (NumberFormatException bad) {
                    throw new S3Exception(S3Error.MALFORMED_XML);
                }
            }
            rules.add(new Bucket.CorsRule(XmlInput.text(e, "ID"), origins, methods, texts(e, "AllowedHeader"), texts(e, "ExposeHeader"),
                    maxAge));
        }
        ctx.append(r, new BucketCorsChanged(r.bucket(), rules));
        Responses.empty(resp, 200);
    }

    void deleteBucketCors(S3Request r, HttpServletResponse resp) {
        ctx.requireBucket(r.bucket());
        ctx.append(r, new BucketCorsChanged(r.bucket(), null));
        Responses.empty(resp, 204);
    }

    /** A preflight: 200 with what the matching rule allows, or 403 AccessForbidden. Needs no signature. */
    void preflight(HttpServletRequest req, HttpServletResponse resp, String bucket) throws IOException {
        String origin = req.getHeader("Origin");
        String method = req.getHeader("Access-Control-Request-Method");
        if (origin == null || origin.isEmpty()) {
            throw new S3Exception(S3Error.BAD_REQUEST, "Insufficient information. Origin request header needed.");
        }
        if (method == null || method.isEmpty()) {
            throw new S3Exception(S3Error.BAD_REQUEST, "Invalid Access-Control-Request-Method: null");
        }
        Bucket b = ctx.views().bucket(bucket).orElse(null);
        if (b == null || b.cors() == null) {
            throw new S3Exception(S3Error.ACCESS_FORBIDDEN, "CORSResponse: CORS is not enabled for this bucket.");
        }
        List<String> requested = new ArrayList<>();
        String headers = req.getHeader("Access-Control-Request-Headers");
        if (headers != null) {
            Arrays.stream(headers.split(",")).map(String::trim).filter(h -> !h.isEmpty()).forEach(requested::add);
        }
        Map<String, String> allowed = match(b, origin, method, requested);
        if (allowed == null) {
            throw new S3Exception(S3Error.ACCESS_FORBIDDEN, "CORSResponse: This CORS request is not allowed. This is usually because "
                    + "the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are "
                    + "not whitelisted by the resource's CORS spec.");
        }
        allowed.forEach(resp::setHeader);
        Responses.empty(resp, 200);
    }

    /** The headers for an actual cross-origin request to a bucket, empty when no rule matches or it has no Origin. */
    Map<String, String> headersFor(HttpServletRequest req, String bucket, RequestScope scope) {
        String origin = req.getHeader("Origin");
        if (origin == null || bucket == null) {
            return Map.of();
        }
        Bucket b = scope.bucket().orElse(null);
        if (b == null || b.cors() == null) {
            return Map.of();
        }
        Map<String, String> h = match(b, origin, req.getMethod(), null);
        return h == null ? Map.of() : h;
    }

    /** The first rule's answer for this origin, method and requested headers (null: not for a preflight); null when none matches. */
    private static Map<String, String> match(Bucket b, String origin, String method, List<String> requestedHeaders) {
        for (Bucket.CorsRule rule : b.cors()) {
            String matchedOrigin = rule.allowedOrigins().stream().filter(o -> wildcard(o, origin, false)).findFirst().orElse(null);
            if (matchedOrigin == null || !rule.allowedMethods().contains(method)) {
                continue;
            }
            if (requestedHeaders != null && !requestedHeaders.stream().allMatch(h ->
                    rule.allowedHeaders().stream().anyMatch(a -> wildcard(a, h, true)))) {
                continue;
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put("Access-Control-Allow-Origin", matchedOrigin.equals("*") ? "*" : origin);
            out.put("Access-Control-Allow-Methods", String.join(", ", rule.allowedMethods()));
            if (requestedHeaders != null && !requestedHeaders.isEmpty()) {
                out.put("Access-Control-Allow-Headers", String.join(", ", requestedHeaders));
            }
            if (!rule.exposeHeaders().isEmpty()) {
                out.put("Access-Control-Expose-Headers", String.join(", ", rule.exposeHeaders()));
            }
            if (rule.maxAgeSeconds() != null) {
                out.put("Access-Control-Max-Age", rule.maxAgeSeconds().toString());
            }
            if (!matchedOrigin.equals("*")) {
                out.put("Access-Control-Allow-Credentials", "true");
            }
            out.put("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
            return out;
        }
        return null;
    }

    /** S3's patterns: at most one '*' standing for any run of characters. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        int star = p.indexOf('*');
        if (star < 0) {
            return p.equals(v);
        }
        String head = p.substring(0, star);
        String tail = p.substring(star + 1);
        return v.length() >= head.length() + tail.length() && v.startsWith(head) && v.endsWith(tail);
    }

    private static List<String> texts(Element parent, String name) {
        return XmlInput.children(parent, name).stream().map(e -> e.getTextContent().trim()).toList();
    }
}
