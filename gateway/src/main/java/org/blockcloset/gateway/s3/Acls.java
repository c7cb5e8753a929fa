package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.blockcloset.ledger.event.BucketAclChanged;
import org.blockcloset.ledger.event.ObjectAclChanged;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;
import org.w3c.dom.Element;

/**
 * Canned ACLs (ADR 0014): what a bucket or an object version lets others do, the Get/Put*Acl
 * operations, and the one decision about requests an ACL allows that the key's permissions would
 * not (anonymous reads of a public object, listing a public bucket, any key reading an
 * authenticated-read one).
 */
final class Acls {
    static final String PRIVATE = "private";
    static final String PUBLIC_READ = "public-read";
    static final String PUBLIC_READ_WRITE = "public-read-write";
    static final String AUTHENTICATED_READ = "authenticated-read";
    /** Canned ACLs served; the owner-oriented ones mean "private" in a store with one owner per bucket. */
    static final Set<String> SERVED = Set.of(PRIVATE, PUBLIC_READ, PUBLIC_READ_WRITE, AUTHENTICATED_READ,
            "bucket-owner-read", "bucket-owner-full-control");
    private static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    private static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private static final Set<S3Operation> BUCKET_READS = EnumSet.of(S3Operation.LIST_OBJECTS, S3Operation.LIST_OBJECTS_V2,
            S3Operation.LIST_OBJECT_VERSIONS, S3Operation.HEAD_BUCKET);
    private static final Set<S3Operation> OBJECT_READS = EnumSet.of(S3Operation.GET_OBJECT, S3Operation.HEAD_OBJECT);
    private static final Set<S3Operation> BUCKET_WRITES = EnumSet.of(S3Operation.PUT_OBJECT, S3Operation.DELETE_OBJECT);
    /** Operations whose x-amz-acl header is served. */
    static final Set<S3Operation> TAKES_ACL = EnumSet.of(S3Operation.CREATE_BUCKET, S3Operation.PUT_OBJECT, S3Operation.COPY_OBJECT,
            S3Operation.CREATE_MULTIPART_UPLOAD, S3Operation.PUT_BUCKET_ACL, S3Operation.PUT_OBJECT_ACL);

    /** Request attribute: the request was let in by an ACL (true: with a valid key, false: anonymous). */
    static final String ADMITTED = Acls.class.getName() + ".admitted";

    private final S3Context ctx;

    Acls(S3Context ctx) {
        this.ctx = ctx;
    }

    /** The x-amz-acl of a request, normalised (null: none sent; owner-only ACLs read as private). */
    static String fromHeader(S3Request r) {
        String acl = r.header("x-amz-acl");
        if (acl == null) {
            return null;
        }
        String a = acl.trim().toLowerCase(Locale.ROOT);
        if (!SERVED.contains(a)) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Canned ACL '" + acl + "' is not implemented; private, public-read, "
                    + "public-read-write and authenticated-read are.");
        }
        return a.startsWith("bucket-owner") ? PRIVATE : a;
    }

    /**
     * Whether an ACL lets this request through although the caller's key (or no key) would not:
     * {@code authenticated} is true for a signed request of a valid key.
     */
    boolean allows(S3Operation op, String bucket, String key, String versionId, boolean authenticated, RequestScope scope) {
        if (bucket == null || scope.bucket().map(Bucket::publicAclsIgnored).orElse(false)) {
            return false; // IgnorePublicAcls, or ACLs disabled (BucketOwnerEnforced): they grant nobody
        }
        if (OBJECT_READS.contains(op) && key != null) {
            ObjectVersion o;
            try {
                ctx.readBarrier();
                o = Versions.find(ctx, bucket, key, versionId);
            } catch (S3Exception missing) {
                return false; // nothing readable: the caller learns no more than AccessDenied
            }
            return reads(o.acl(), authenticated);
        }
        Bucket b = scope.bucket().orElse(null);
        if (b == null) {
            return false;
        }
        if (BUCKET_READS.contains(op)) {
            return reads(b.acl(), authenticated);
        }
        return BUCKET_WRITES.contains(op) && PUBLIC_READ_WRITE.equals(b.acl());
    }

    /**
     * A read let in by an object's ACL: the version actually served must allow it too (the key may
     * have been overwritten, with another ACL, between the check and the read).
     */
    static void recheck(S3Request r, ObjectVersion o) {
        if (r.http().getAttribute(ADMITTED) instanceof Boolean authenticated && !reads(o.acl(), authenticated)) {
            throw new S3Exception(S3Error.ACCESS_DENIED);
        }
    }

    private static boolean reads(String acl, boolean authenticated) {
        return PUBLIC_READ.equals(acl) || PUBLIC_READ_WRITE.equals(acl) || (authenticated && AUTHENTICATED_READ.equals(acl));
    }

    void getBucketAcl(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        Responses.xml(resp, policy(b.owner(), b.acl()));
    }

    void putBucketAcl(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        String acl = requested(r, b.owner());
        PublicAccess.checkAcl(b, acl);
        ctx.append(r, new BucketAclChanged(r.bucket(), acl));
        Responses.empty(resp, 200);
    }

    void getObjectAcl(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Versions.header(resp, ctx, o);
        Responses.xml(resp, policy(b.owner(), o.acl()));
    }

    void putObjectAcl(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        ctx.readBarrier();
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        String acl = requested(r, b.owner());
        PublicAccess.checkAcl(b, acl);
        ctx.append(r, new ObjectAclChanged(r.bucket(), r.key(), b.versioned() ? o.s3VersionIdOrNull() : null, acl));
        Versions.header(resp, ctx, o);
        Responses.empty(resp, 200);
    }

    /** The ACL a Put*Acl asks for: a canned x-amz-acl, or an AccessControlPolicy that one of them describes. */
    private String requested(S3Request r, String owner) throws IOException {
        String canned = fromHeader(r);
        if (canned != null) {
            Responses.drain(r.http().getInputStream(), XmlInput.MAX_BYTES);
            return canned;
        }
        Element root = XmlInput.read(r.auth().wrapBody(r.http().getInputStream()), "AccessControlPolicy");
        List<Element> lists = XmlInput.children(root, "AccessControlList");
        if (lists.isEmpty()) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        Set<String> grants = new java.util.TreeSet<>();
        for (Element g : XmlInput.children(lists.get(0), "Grant")) {
            List<Element> grantee = XmlInput.children(g, "Grantee");
            String permission = XmlInput.text(g, "Permission");
            if (grantee.isEmpty() || permission == null) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            String uri = XmlInput.text(grantee.get(0), "URI");
            String id = XmlInput.text(grantee.get(0), "ID");
            if (uri != null) {
                grants.add((uri.trim().equals(ALL_USERS) ? "all:" : uri.trim().equals(AUTHENTICATED_USERS) ? "auth:" : "other:")
                        + permission.trim());
            } else if (id != null && id.trim().equals(owner) && permission.trim().equals("FULL_CONTROL")) {
                grants.add("owner");
            } else {
                grants.add("other:" + permission.trim());
            }
        }
        grants.remove("owner");
        if (grants.isEmpty()) {
            return PRIVATE;
        }
        if (grants.equals(Set.of("all:READ"))) {
            return PUBLIC_READ;
        }
        if (grants.equals(Set.of("all:READ", "all:WRITE"))) {
            return PUBLIC_READ_WRITE;
        }
        if (grants.equals(Set.of("auth:READ"))) {
            return AUTHENTICATED_READ;
        }
        throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Only ACLs that a canned ACL describes are implemented "
                + "(private, public-read, public-read-write, authenticated-read).");
    }

    /** The AccessControlPolicy document of a canned ACL: the owner's full control, then the groups'. */
    static byte[] policy(String owner, String acl) {
        String o = owner == null ? "blockcloset" : owner;
        Xml x = Xml.doc("AccessControlPolicy").open("Owner").el("ID", o).el("DisplayName", o).close().open("AccessControlList");
        List<String[]> grants = new ArrayList<>();
        if (PUBLIC_READ.equals(acl) || PUBLIC_READ_WRITE.equals(acl)) {
            grants.add(new String[] {ALL_USERS, "READ"});
        }
        if (PUBLIC_READ_WRITE.equals(acl)) {
            grants.add(new String[] {ALL_USERS, "WRITE"});
        }
        if (AUTHENTICATED_READ.equals(acl)) {
            grants.add(new String[] {AUTHENTICATED_USERS, "READ"});
        }
        x.open("Grant").openWithType("Grantee", "CanonicalUser").el("ID", o).el("DisplayName", o).close()
                .el("Permission", "FULL_CONTROL").close();
        for (String[] g : grants) {
            x.open("Grant").openWithType("Grantee", "Group").el("URI", g[0]).close().el("Permission", g[1]).close();
        }
        return x.close().finish();
    }
}
