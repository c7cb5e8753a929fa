package org.blockcloset.gateway.s3;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.ledger.event.BucketPolicyChanged;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.BucketPolicy;

/**
 * Bucket policies (ADR 0020): Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus, and what a
 * bucket's policy says about a request, decided once it is authenticated. An explicit Deny refuses
 * the request whatever the key's permissions and the ACLs say (only the bucket's owner may still
 * read, replace or delete the policy, so a policy cannot lock its owner out); an Allow lets in a
 * request the key's permissions or the ACLs would not.
 */
final class Policies {
    /** Request attribute: the request was let in by the bucket's policy. */
    static final String ADMITTED = Policies.class.getName() + ".admitted";
    private static final int CACHED = 256;
    /** What no policy Allow grants: reading or changing the policy and what guards it. */
    private static final java.util.Set<S3Operation> OWNERS_ONLY = java.util.EnumSet.of(S3Operation.GET_BUCKET_POLICY,
            S3Operation.PUT_BUCKET_POLICY, S3Operation.DELETE_BUCKET_POLICY, S3Operation.GET_BUCKET_POLICY_STATUS,
            S3Operation.GET_PUBLIC_ACCESS_BLOCK, S3Operation.PUT_PUBLIC_ACCESS_BLOCK, S3Operation.DELETE_PUBLIC_ACCESS_BLOCK,
            S3Operation.GET_BUCKET_OWNERSHIP_CONTROLS, S3Operation.PUT_BUCKET_OWNERSHIP_CONTROLS,
            S3Operation.DELETE_BUCKET_OWNERSHIP_CONTROLS);
    /** Operations that create an object, whose ACL and tags headers are actions of their own. */
    private static final java.util.Set<S3Operation> UPLOADS = java.util.EnumSet.of(S3Operation.PUT_OBJECT, S3Operation.POST_OBJECT,
            S3Operation.COPY_OBJECT, S3Operation.CREATE_MULTIPART_UPLOAD);
    /** What a policy may open to unsigned callers: reads, listings, uploads and deletes of objects. */
    private static final java.util.Set<S3Operation> ANONYMOUS_MAY = java.util.EnumSet.of(S3Operation.GET_OBJECT,
            S3Operation.HEAD_OBJECT, S3Operation.HEAD_BUCKET, S3Operation.LIST_OBJECTS, S3Operation.LIST_OBJECTS_V2,
            S3Operation.LIST_OBJECT_VERSIONS, S3Operation.GET_BUCKET_LOCATION, S3Operation.GET_OBJECT_TAGGING,
            S3Operation.GET_OBJECT_ATTRIBUTES, S3Operation.PUT_OBJECT, S3Operation.POST_OBJECT,
            S3Operation.CREATE_MULTIPART_UPLOAD, S3Operation.UPLOAD_PART, S3Operation.COMPLETE_MULTIPART_UPLOAD,
            S3Operation.ABORT_MULTIPART_UPLOAD, S3Operation.LIST_PARTS, S3Operation.LIST_MULTIPART_UPLOADS,
            S3Operation.DELETE_OBJECT, S3Operation.DELETE_OBJECTS);
    private final S3Context ctx;
    /** Parsed policies by their text: a policy is parsed once, not on every request. */
    private final Map<String, BucketPolicy> parsed = new ConcurrentHashMap<>();

    Policies(S3Context ctx) {
        this.ctx = ctx;
    }

    void getBucketPolicy(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = r.scope().requireBucket();
        if (b.policy() == null) {
            throw new S3Exception(S3Error.NO_SUCH_BUCKET_POLICY);
        }
        byte[] body = b.policy().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    void putBucketPolicy(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = r.scope().requireBucket();
        InputStream in = r.auth().wrapBody(r.http().getInputStream());
        byte[] body = in.readNBytes(BucketPolicy.MAX_BYTES + 1);
        if (body.length > BucketPolicy.MAX_BYTES) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, "Policies must be at most " + BucketPolicy.MAX_BYTES + " bytes");
        }
        BodyDigests.verify(r, body, in);
        String text = new String(body, StandardCharsets.UTF_8);
        BucketPolicy parsedPolicy;
        try {
            parsedPolicy = BucketPolicy.parse(text, b.name());
        } catch (BucketPolicy.InvalidPolicyException e) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, e.getMessage());
        }
        if (b.publicAccessBlock() != null && b.publicAccessBlock().blockPublicPolicy() && parsedPolicy.isPublic()) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "The bucket's public access block refuses public policies.");
        }
        ctx.append(r, new BucketPolicyChanged(b.name(), text));
        Responses.empty(resp, 204);
    }

    void deleteBucketPolicy(S3Request r, HttpServletResponse resp) {
        Bucket b = r.scope().requireBucket();
        ctx.append(r, new BucketPolicyChanged(b.name(), null));
        Responses.empty(resp, 204);
    }

    void getBucketPolicyStatus(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = r.scope().requireBucket();
        BucketPolicy policy = policyOf(b);
        if (policy == null) {
            throw new S3Exception(S3Error.NO_SUCH_BUCKET_POLICY);
        }
        Responses.xml(resp, Xml.doc("PolicyStatus").el("IsPublic", Boolean.toString(policy.isPublic())).finish());
    }

    /**
     * What the policy of the request's bucket says; NONE when it has none. A Deny is thrown as
     * AccessDenied, except to the bucket's owner reading or changing the policy itself.
     */
    BucketPolicy.Decision decide(S3Operation op, String bucketName, String key, Map<String, String> query, String principal,
                                 HttpServletRequest req, RequestScope scope) {
        return decide(op, bucketName, key, query, principal, req, scope, Map.of());
    }

    /**
     * As above, with the headers a POST form gives as fields ({@code x-amz-acl}): an upload that sets
     * an ACL or tags is also s3:PutObjectAcl or s3:PutObjectTagging, and an Allow must cover each
     * action the request is, while a Deny of any of them (or of the unversioned form of a versioned
     * action) refuses it.
     */
    BucketPolicy.Decision decide(S3Operation op, String bucketName, String key, Map<String, String> query, String principal,
                                 HttpServletRequest req, RequestScope scope, Map<String, String> formFields) {
        if (bucketName == null || op == S3Operation.CREATE_BUCKET) {
            return BucketPolicy.Decision.NONE;
        }
        Bucket b = scope.bucket().orElse(null);
        BucketPolicy policy = b == null ? null : policyOf(b);
        if (policy == null) {
            return BucketPolicy.Decision.NONE;
        }
        String resource = "arn:aws:s3:::" + bucketName + (key == null ? "" : "/" + key);
        java.util.function.Function<String, String> header = h -> formFields.containsKey(h) ? formFields.get(h) : req.getHeader(h);
        List<String> actions = new ArrayList<>(actions(op, query));
        if (UPLOADS.contains(op) && header.apply("x-amz-acl") != null) {
            actions.add("s3:PutObjectAcl");
        }
        if (UPLOADS.contains(op) && header.apply("x-amz-tagging") != null) {
            actions.add("s3:PutObjectTagging");
        }
        boolean allAllowed = !actions.isEmpty();
        BucketPolicy.Decision d = BucketPolicy.Decision.NONE;
        List<String> judged = new ArrayList<>(actions);
        for (String action : actions) {
            if (action.contains("Version")) {
                judged.add(action.replace("Version", "")); // a Deny of s3:DeleteObject holds for ?versionId=null too
            }
        }
        for (String action : judged) {
            BucketPolicy.Decision one = policy.evaluate(new BucketPolicy.Request(principal, action, resource,
                    name -> context(name, header, query, principal, req)));
            if (one == BucketPolicy.Decision.DENY) {
                d = one;
                break;
            }
            if (actions.contains(action) && one != BucketPolicy.Decision.ALLOW) {
                allAllowed = false;
            }
        }
        if (d != BucketPolicy.Decision.DENY && allAllowed) {
            d = BucketPolicy.Decision.ALLOW;
        }
        if (d == BucketPolicy.Decision.DENY && !ownerManagingThePolicy(op, principal, b, scope)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "The bucket's policy denies this request.");
        }
        if (d == BucketPolicy.Decision.ALLOW && b.publicAccessBlock() != null && b.publicAccessBlock().restrictPublicBuckets()
                && policy.isPublic()) {
            return BucketPolicy.Decision.NONE; // RestrictPublicBuckets: a public policy grants nobody
        }
        if (d == BucketPolicy.Decision.ALLOW && OWNERS_ONLY.contains(op)) {
            return BucketPolicy.Decision.NONE; // the policy and the blocks on it stay the owner's (AWS: the account's)
        }
        if (d == BucketPolicy.Decision.ALLOW && principal == null && !ANONYMOUS_MAY.contains(op)) {
            // Nobody unsigned changes what a bucket is (its policy, ACL, lock, lifecycle, versioning)
            // or reads another bucket through a copy, whatever a careless "s3:*" to "*" says.
            return BucketPolicy.Decision.NONE;
        }
        return d;
    }

    private static boolean ownerManagingThePolicy(S3Operation op, String principal, Bucket b, RequestScope scope) {
        boolean managing = op == S3Operation.GET_BUCKET_POLICY || op == S3Operation.PUT_BUCKET_POLICY
                || op == S3Operation.DELETE_BUCKET_POLICY;
        return managing && principal != null && (principal.equals(b.owner())
                || scope.key(principal).map(k -> k.admin()).orElse(false));
    }

    private BucketPolicy policyOf(Bucket b) {
        if (b.policy() == null) {
            return null;
        }
        BucketPolicy p = parsed.get(b.policy());
        if (p == null) {
            try {
                p = BucketPolicy.parse(b.policy(), b.name());
            } catch (BucketPolicy.InvalidPolicyException e) {
                throw new S3Exception(S3Error.INTERNAL_ERROR, "The bucket's policy cannot be read.");
            }
            if (parsed.size() >= CACHED) {
                parsed.clear();
            }
            parsed.put(b.policy(), p);
        }
        return p;
    }

    /** A copy's source, as a read of it: the source bucket's policy may deny it. */
    void checkCopySource(S3Operation op, String copySource, String principal, HttpServletRequest req) {
        if (copySource == null || (op != S3Operation.COPY_OBJECT && op != S3Operation.UPLOAD_PART_COPY)) {
            return;
        }
        CopyObjectHandler.Source source = CopyObjectHandler.parseSource(copySource);
        Map<String, String> query = source.versionId() == null ? Map.of() : Map.of("versionId", source.versionId());
        decide(S3Operation.GET_OBJECT, source.bucket(), source.key(), query, principal, req, new RequestScope(ctx, source.bucket()));
    }

    /**
     * One key of a DeleteObjects request, judged as its own DeleteObject: a Deny of that key refuses
     * it (AccessDenied in the result), and a request the policy alone let in needs an Allow of it.
     */
    void checkKey(S3Request r, String key, String versionId) {
        Map<String, String> query = versionId == null ? Map.of() : Map.of("versionId", versionId);
        String principal = r.auth().isAnonymous() ? null : r.auth().accessKeyId();
        BucketPolicy.Decision d = decide(S3Operation.DELETE_OBJECT, r.bucket(), key, query, principal, r.http(), r.scope());
        if (Boolean.TRUE.equals(r.http().getAttribute(ADMITTED)) && d != BucketPolicy.Decision.ALLOW) {
            throw new S3Exception(S3Error.ACCESS_DENIED);
        }
    }

    /** The IAM actions an operation is, as S3 names them (a versioned read or delete is its own action). */
    static List<String> actions(S3Operation op, Map<String, String> query) {
        boolean version = query.get("versionId") != null;
        return switch (op) {
            case LIST_BUCKETS -> List.of("s3:ListAllMyBuckets");
            case HEAD_BUCKET, LIST_OBJECTS, LIST_OBJECTS_V2 -> List.of("s3:ListBucket");
            case LIST_OBJECT_VERSIONS -> List.of("s3:ListBucketVersions");
            case GET_BUCKET_LOCATION -> List.of("s3:GetBucketLocation");
            case GET_OBJECT, HEAD_OBJECT -> List.of(version ? "s3:GetObjectVersion" : "s3:GetObject");
            case GET_OBJECT_ATTRIBUTES -> version ? List.of("s3:GetObjectVersion", "s3:GetObjectVersionAttributes")
                    : List.of("s3:GetObject", "s3:GetObjectAttributes");
            case PUT_OBJECT, POST_OBJECT, CREATE_MULTIPART_UPLOAD, UPLOAD_PART, COMPLETE_MULTIPART_UPLOAD, COPY_OBJECT,
                 UPLOAD_PART_COPY -> List.of("s3:PutObject");
            case DELETE_OBJECT, DELETE_OBJECTS -> List.of(version ? "s3:DeleteObjectVersion" : "s3:DeleteObject");
            case ABORT_MULTIPART_UPLOAD -> List.of("s3:AbortMultipartUpload");
            case LIST_PARTS -> List.of("s3:ListMultipartUploadParts");
            case LIST_MULTIPART_UPLOADS -> List.of("s3:ListBucketMultipartUploads");
            case GET_OBJECT_TAGGING -> List.of(version ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging");
            case PUT_OBJECT_TAGGING -> List.of(version ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging");
            case DELETE_OBJECT_TAGGING -> List.of(version ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging");
            case GET_BUCKET_TAGGING -> List.of("s3:GetBucketTagging");
            case PUT_BUCKET_TAGGING, DELETE_BUCKET_TAGGING -> List.of("s3:PutBucketTagging");
            case GET_BUCKET_VERSIONING -> List.of("s3:GetBucketVersioning");
            case PUT_BUCKET_VERSIONING -> List.of("s3:PutBucketVersioning");
            case GET_BUCKET_ACL -> List.of("s3:GetBucketAcl");
            case PUT_BUCKET_ACL -> List.of("s3:PutBucketAcl");
            case GET_OBJECT_ACL -> List.of(version ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl");
            case PUT_OBJECT_ACL -> List.of(version ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl");
            case GET_BUCKET_CORS -> List.of("s3:GetBucketCORS");
            case PUT_BUCKET_CORS, DELETE_BUCKET_CORS -> List.of("s3:PutBucketCORS");
            case GET_BUCKET_LIFECYCLE -> List.of("s3:GetLifecycleConfiguration");
            case PUT_BUCKET_LIFECYCLE, DELETE_BUCKET_LIFECYCLE -> List.of("s3:PutLifecycleConfiguration");
            case GET_OBJECT_LOCK_CONFIGURATION -> List.of("s3:GetBucketObjectLockConfiguration");
            case PUT_OBJECT_LOCK_CONFIGURATION -> List.of("s3:PutBucketObjectLockConfiguration");
            case GET_OBJECT_RETENTION -> List.of("s3:GetObjectRetention");
            case PUT_OBJECT_RETENTION -> List.of("s3:PutObjectRetention");
            case GET_OBJECT_LEGAL_HOLD -> List.of("s3:GetObjectLegalHold");
            case PUT_OBJECT_LEGAL_HOLD -> List.of("s3:PutObjectLegalHold");
            case GET_BUCKET_POLICY -> List.of("s3:GetBucketPolicy");
            case PUT_BUCKET_POLICY -> List.of("s3:PutBucketPolicy");
            case DELETE_BUCKET_POLICY -> List.of("s3:DeleteBucketPolicy");
            case GET_BUCKET_POLICY_STATUS -> List.of("s3:GetBucketPolicyStatus");
            case GET_PUBLIC_ACCESS_BLOCK -> List.of("s3:GetBucketPublicAccessBlock");
            case PUT_PUBLIC_ACCESS_BLOCK, DELETE_PUBLIC_ACCESS_BLOCK -> List.of("s3:PutBucketPublicAccessBlock");
            case GET_BUCKET_OWNERSHIP_CONTROLS -> List.of("s3:GetBucketOwnershipControls");
            case PUT_BUCKET_OWNERSHIP_CONTROLS, DELETE_BUCKET_OWNERSHIP_CONTROLS -> List.of("s3:PutBucketOwnershipControls");
            case CREATE_BUCKET -> List.of("s3:CreateBucket");
            case DELETE_BUCKET -> List.of("s3:DeleteBucket");
            case PREFLIGHT -> List.of();
        };
    }

    /** A condition key's values in this request; null when the request does not carry it. */
    private static List<String> context(String name, java.util.function.Function<String, String> header, Map<String, String> query,
                                        String principal, HttpServletRequest req) {
        switch (name) {
            case "aws:sourceip":
                return List.of(req.getRemoteAddr());
            case "aws:securetransport":
                return List.of(Boolean.toString(req.isSecure()));
            case "aws:currenttime":
                return List.of(Instant.now().toString());
            case "aws:epochtime":
                return List.of(Long.toString(Instant.now().getEpochSecond()));
            case "aws:useragent":
                return one(header.apply("User-Agent"));
            case "aws:referer":
                return one(header.apply("Referer"));
            case "aws:username", "aws:userid", "aws:principalaccount":
                return one(principal);
            case "aws:principaltype":
                return List.of(principal == null ? "Anonymous" : "User");
            case "s3:prefix", "s3:delimiter", "s3:max-keys":
                return one(query.get(name.substring(3)));
            case "s3:versionid":
                return one(query.get("versionId"));
            case "s3:x-amz-acl", "s3:x-amz-copy-source", "s3:x-amz-server-side-encryption", "s3:x-amz-storage-class",
                 "s3:x-amz-metadata-directive", "s3:x-amz-content-sha256", "s3:object-lock-mode",
                 "s3:object-lock-legal-hold":
                return one(header.apply(name.startsWith("s3:object-lock") ? "x-amz-" + name.substring(3) : name.substring(3)));
            case "s3:requestobjecttagkeys":
                return tags(header) == null ? null : new ArrayList<>(tags(header).keySet());
            default:
                if (name.startsWith("s3:requestobjecttag/")) {
                    Map<String, String> tags = tags(header);
                    return tags == null ? null : one(tags.get(tagName(name, tags)));
                }
                return null;
        }
    }

    /** The tag a key names, with the case the request gave it (condition keys are read lower-cased). */
    private static String tagName(String key, Map<String, String> tags) {
        String wanted = key.substring("s3:requestobjecttag/".length());
        return tags.keySet().stream().filter(k -> k.toLowerCase(Locale.ROOT).equals(wanted)).findFirst().orElse(wanted);
    }

    /** The tags an upload asks for (x-amz-tagging), or null. */
    private static Map<String, String> tags(java.util.function.Function<String, String> header) {
        String value = header.apply("x-amz-tagging");
        return value == null ? null : UriCodec.parseQuery(value);
    }

    private static List<String> one(String v) {
        return v == null ? null : List.of(v);
    }
}
