package org.blockcloset.gateway.s3;

import org.blockcloset.ledger.model.BucketPolicy;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.blockcloset.gateway.auth.AuthContext;
import org.blockcloset.gateway.auth.PayloadMode;
import org.blockcloset.gateway.auth.SigV4Verifier;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;

/**
 * POST Object: an upload from an HTML form (ADR 0014). The form carries a policy (base64 JSON:
 * an expiry and conditions on every field) signed with SigV4 by an access key; the policy, not a
 * request signature, authenticates the upload, and every field must be allowed by a condition.
 * The file is streamed into blocks like a PutObject body; content-length-range bounds it while
 * it arrives. Without a policy only a public-read-write bucket takes the upload.
 */
final class PostObjectHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields no condition needs to name. */
    private static final Set<String> EXEMPT = Set.of("policy", "x-amz-signature", "file", "awsaccesskeyid", "signature");

    private final S3Context ctx;
    private final SigV4Verifier verifier;
    private final Acls acls;
    private final Policies policies;

    PostObjectHandler(S3Context ctx, SigV4Verifier verifier, Acls acls, Policies policies) {
        this.ctx = ctx;
        this.policies = policies;
        this.verifier = verifier;
        this.acls = acls;
    }

    void post(HttpServletRequest req, HttpServletResponse resp, String bucket, String requestId) throws IOException {
        String boundary = FormParts.boundary(req.getContentType());
        if (boundary == null) {
            throw new S3Exception(S3Error.MALFORMED_POST_REQUEST, "POST to a bucket must be multipart/form-data.");
        }
        RequestScope scope = new RequestScope(ctx, bucket);
        Bucket b = scope.requireBucket();
        FormParts form = new FormParts(req.getInputStream(), boundary);
        if (!form.readFields()) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "POST requires exactly one file upload per request.");
        }
        Map<String, String> f = form.fields();
        String key = f.get("key");
        if (key == null || key.isEmpty()) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Bucket POST must contain a field named 'key'.");
        }
        // Access is decided on the key the object will have: ${filename} filled in first, so that a
        // policy's Deny of some names cannot be stepped round by naming the file instead.
        String named = key;
        if (form.fileName() != null) {
            String name = form.fileName();
            name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
            named = key.replace("${filename}", name);
        }
        String formAcl = f.get("acl") == null ? null : f.get("acl").trim().toLowerCase(Locale.ROOT);
        PublicAccess.checkUploadAcl(b, formAcl); // the public access block and ownership controls hold for a form's ACL too
        long[] range = {0, S3Context.MAX_PUT_SIZE};
        String actor;
        if (f.containsKey("awsaccesskeyid")) {
            // A version 2 form: the policy signed with HMAC-SHA1 (SigV2), for older tools and appliances.
            if (f.get("policy") == null || f.get("signature") == null) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "A signed form needs AWSAccessKeyId, policy and signature.");
            }
            actor = verifier.withSecrets(scope::secretOf).verifyPolicyV2(f.get("awsaccesskeyid"), f.get("policy"), f.get("signature"));
            checkPolicy(f.get("policy"), f, bucket, range);
            admitSigned(req, actor, bucket, named, formAcl, scope);
        } else if (f.containsKey("policy")) {
            if (!"AWS4-HMAC-SHA256".equals(f.get("x-amz-algorithm"))) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "x-amz-algorithm must be AWS4-HMAC-SHA256.");
            }
            if (f.get("x-amz-credential") == null || f.get("x-amz-signature") == null || f.get("x-amz-date") == null) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "A signed form needs x-amz-credential, x-amz-date and x-amz-signature.");
            }
            actor = verifier.withSecrets(scope::secretOf).verifyPolicy(f.get("x-amz-credential"), f.get("policy"), f.get("x-amz-signature"));
            checkPolicy(f.get("policy"), f, bucket, range);
            admitSigned(req, actor, bucket, named, formAcl, scope);
        } else {
            if (policies.decide(S3Operation.POST_OBJECT, bucket, named, Map.of(), null, req, scope, formFields(formAcl))
                    != BucketPolicy.Decision.ALLOW && !acls.allows(S3Operation.PUT_OBJECT, bucket, named, null, false, scope)) {
                throw new S3Exception(S3Error.ACCESS_DENIED, "An unsigned form upload needs a public-read-write bucket "
                        + "or a bucket policy that allows it.");
            }
            actor = null;
        }
        if (form.fileName() != null) {
            String name = form.fileName();
            name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
            key = key.replace("${filename}", name);
        }
        PutObjectHandler.checkKey(key);
        String objectKey = key;
        AuthContext auth = new AuthContext(actor, PayloadMode.UNSIGNED, null, null, -1, false, true);
        S3Request r = new S3Request(requestId, req, S3Operation.POST_OBJECT, bucket, objectKey, Map.of(), auth, scope);

        Map<String, String> headers = new TreeMap<>();
        for (String name : ObjectMetadata.STORED_HEADERS) {
            String v = f.get(name);
            if (v != null && !v.isEmpty()) {
                headers.put(name, v);
            }
        }
        if (!headers.containsKey("content-type") && form.fileContentType() != null) {
            headers.put("content-type", form.fileContentType());
        }
        Map<String, String> user = new TreeMap<>();
        f.forEach((name, v) -> {
            if (name.startsWith("x-amz-meta-")) {
                user.put(name.substring("x-amz-meta-".length()), v);
            }
        });
        String acl = f.get("acl") == null ? null : f.get("acl").trim().toLowerCase(Locale.ROOT);
        if (acl != null && !Acls.SERVED.contains(acl)) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Canned ACL '" + acl + "' is not implemented.");
        }
        ctx.checkQuota(b, objectKey, -1);
        ObjectVersion o;
        try (WriteSet write = ctx.objects().begin(b)) {
            BodyWriter.Written w = BodyWriter.write(write, form.file(), List.of(), range[1], -1);
            if (w.size() < range[0]) {
                throw new S3Exception(S3Error.ENTITY_TOO_SMALL, "Your proposed upload is smaller than the minimum allowed size");
            }
            String etag = '"' + java.util.HexFormat.of().formatHex(w.md5()) + '"';
            o = new ObjectVersion(bucket, objectKey, UUID.randomUUID().toString(), w.size(), etag, ctx.clock().instant(), headers,
                    user, Map.of(), null, null, w.blocks()).withAcl(acl == null || acl.startsWith("bucket-owner") ? null : acl);
            Versions.madeHeader(resp, ctx, bucket, objectKey, ctx.commit(r, write, new ObjectPut(o)));
        }
        resp.setHeader("ETag", o.etag());
        String location = "/" + bucket + "/" + UriCodec.encode(objectKey, true);
        resp.setHeader("Location", location);
        String redirect = f.containsKey("success_action_redirect") ? f.get("success_action_redirect") : f.get("redirect");
        if (redirect != null && !redirect.isEmpty()) {
            String sep = redirect.contains("?") ? "&" : "?";
            resp.setHeader("Location", redirect + sep + "bucket=" + UriCodec.encode(bucket, true) + "&key="
                    + UriCodec.encode(objectKey, true) + "&etag=" + UriCodec.encode(o.etag(), true));
            Responses.empty(resp, 303);
            return;
        }
        String status = f.getOrDefault("success_action_status", "204");
        if (status.equals("201")) {
            Responses.xml(resp, 201, Xml.doc("PostResponse").el("Location", location).el("Bucket", bucket).el("Key", objectKey)
                    .el("ETag", o.etag()).finish());
        } else {
            Responses.empty(resp, status.equals("200") ? 200 : 204);
        }
    }

    /** Checks expiry and conditions; every field but the exempt ones must be named by a condition. */
    private void checkPolicy(String policyBase64, Map<String, String> fields, String bucket, long[] range) {
        JsonNode policy;
        try {
            policy = JSON.readTree(new String(Base64.getDecoder().decode(policyBase64.trim()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IOException e) {
            throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Invalid JSON.");
        }
        JsonNode expiration = policy.get("expiration");
        if (expiration == null || !expiration.isTextual()) {
            throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Policy missing expiration.");
        }
        try {
            if (!ctx.clock().instant().isBefore(Instant.parse(expiration.asText()))) {
                throw new S3Exception(S3Error.ACCESS_DENIED, "Invalid according to Policy: Policy expired.");
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Invalid 'expiration' value.");
        }
        JsonNode conditions = policy.get("conditions");
        if (conditions == null || !conditions.isArray()) {
            throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Policy missing conditions.");
        }
        Set<String> named = new HashSet<>();
        for (JsonNode c : conditions) {
            if (c.isObject()) {
                c.fields().forEachRemaining(e -> {
                    String field = e.getKey().toLowerCase(Locale.ROOT);
                    named.add(field);
                    require(field, "eq", e.getValue().asText(), fields, bucket);
                });
            } else if (c.isArray() && c.size() == 3 && c.get(0).asText().equalsIgnoreCase("content-length-range")) {
                range[0] = c.get(1).asLong();
                range[1] = Math.min(range[1], c.get(2).asLong());
            } else if (c.isArray() && c.size() == 3) {
                String op = c.get(0).asText().toLowerCase(Locale.ROOT);
                String field = c.get(1).asText();
                if (!field.startsWith("$") || !(op.equals("eq") || op.equals("starts-with"))) {
                    throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Invalid Condition: " + c);
                }
                field = field.substring(1).toLowerCase(Locale.ROOT);
                named.add(field);
                require(field, op, c.get(2).asText(), fields, bucket);
            } else {
                throw new S3Exception(S3Error.INVALID_POLICY_DOCUMENT, "Invalid Policy: Invalid Condition: " + c);
            }
        }
        for (String field : fields.keySet()) {
            if (!EXEMPT.contains(field) && !field.startsWith("x-ignore-") && !named.contains(field)) {
                throw new S3Exception(S3Error.ACCESS_DENIED, "Invalid according to Policy: Extra input fields: " + field);
            }
        }
    }

    /**
     * A signed form's key may write here unless the bucket's policy denies it: by its own
     * permissions, the policy's Allow, or as the bucket's ACL lets a signed caller.
     */
    private void admitSigned(HttpServletRequest req, String actor, String bucket, String key, String acl, RequestScope scope) {
        BucketPolicy.Decision policy = policies.decide(S3Operation.POST_OBJECT, bucket, key, Map.of(), actor, req, scope,
                formFields(acl));
        try {
            Permissions.check(scope.key(actor).orElse(null), S3Operation.PUT_OBJECT, bucket, null);
        } catch (S3Exception denied) {
            if (policy != BucketPolicy.Decision.ALLOW && !acls.allows(S3Operation.PUT_OBJECT, bucket, key, null, true, scope)) {
                throw denied;
            }
        }
    }

    /** What a form says that a policy's conditions and actions read from headers otherwise. */
    private static Map<String, String> formFields(String acl) {
        return acl == null ? Map.of() : Map.of("x-amz-acl", acl);
    }

    private static void require(String field, String op, String expected, Map<String, String> fields, String bucket) {
        String actual = field.equals("bucket") ? bucket : fields.get(field);
        boolean ok = actual != null && (op.equals("eq") ? actual.equals(expected) : actual.startsWith(expected));
        if (!ok) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Invalid according to Policy: Policy Condition failed: [\"" + op + "\", \"$"
                    + field + "\", \"" + expected + "\"]");
        }
    }
}
