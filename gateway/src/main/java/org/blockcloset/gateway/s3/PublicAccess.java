package org.blockcloset.gateway.s3;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.ledger.event.BucketOwnershipChanged;
import org.blockcloset.ledger.event.BucketPublicAccessBlockChanged;
import org.blockcloset.ledger.model.Bucket;
import org.w3c.dom.Element;

/**
 * A bucket's public access block and object ownership controls (ADR 0020), and what they refuse:
 * BlockPublicAcls refuses setting a public ACL, IgnorePublicAcls makes the ACLs grant nobody,
 * BlockPublicPolicy refuses a public policy, RestrictPublicBuckets makes a public policy grant
 * nobody; BucketOwnerEnforced disables ACLs (refused when set, ignored when held).
 */
final class PublicAccess {
    private static final Set<String> PUBLIC_ACLS = Set.of(Acls.PUBLIC_READ, Acls.PUBLIC_READ_WRITE, Acls.AUTHENTICATED_READ);
    private final S3Context ctx;

    PublicAccess(S3Context ctx) {
        this.ctx = ctx;
    }

    /**
     * Before a request that sets an ACL by header runs: refused where the bucket disables ACLs
     * (AccessControlListNotSupported) or blocks public ones (AccessDenied).
     */
    static void checkAclHeader(S3Operation op, S3Request r, Bucket b) {
        if (b == null || !Acls.TAKES_ACL.contains(op) || op == S3Operation.CREATE_BUCKET) {
            return;
        }
        String header = r.header("x-amz-acl");
        String acl = header == null ? null : header.trim().toLowerCase(Locale.ROOT);
        if (op == S3Operation.PUT_BUCKET_ACL || op == S3Operation.PUT_OBJECT_ACL) {
            if (b.aclsDisabled() && !"bucket-owner-full-control".equals(acl)) {
                throw new S3Exception(S3Error.ACCESS_CONTROL_LIST_NOT_SUPPORTED);
            }
            if (acl != null) {
                checkAcl(b, acl);
            }
        } else {
            checkUploadAcl(b, acl);
        }
    }

    /**
     * The ACL an upload asks for (a header, or a POST form's field; null: none): with ACLs disabled
     * only the one that says what is true anyway, bucket-owner-full-control; never a public one
     * where the bucket blocks them.
     */
    static void checkUploadAcl(Bucket b, String acl) {
        if (acl == null) {
            return;
        }
        if (b.aclsDisabled() && !acl.equals("bucket-owner-full-control")) {
            throw new S3Exception(S3Error.ACCESS_CONTROL_LIST_NOT_SUPPORTED);
        }
        checkAcl(b, acl);
    }

    /** An ACL about to be set (from a header or a Put*Acl document): refused when the bucket blocks public ACLs. */
    static void checkAcl(Bucket b, String acl) {
        if (b.publicAccessBlock() != null && b.publicAccessBlock().blockPublicAcls() && acl != null && PUBLIC_ACLS.contains(acl)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "The bucket's public access block refuses public ACLs.");
        }
    }

    void getPublicAccessBlock(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket.PublicAccessBlock p = r.scope().requireBucket().publicAccessBlock();
        if (p == null) {
            throw new S3Exception(S3Error.NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION);
        }
        Responses.xml(resp, Xml.doc("PublicAccessBlockConfiguration").el("BlockPublicAcls", p.blockPublicAcls())
                .el("IgnorePublicAcls", p.ignorePublicAcls()).el("BlockPublicPolicy", p.blockPublicPolicy())
                .el("RestrictPublicBuckets", p.restrictPublicBuckets()).finish());
    }

    void putPublicAccessBlock(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = r.scope().requireBucket();
        Element root = XmlInput.readVerified(r, "PublicAccessBlockConfiguration");
        Bucket.PublicAccessBlock p = new Bucket.PublicAccessBlock(flag(root, "BlockPublicAcls"), flag(root, "IgnorePublicAcls"),
                flag(root, "BlockPublicPolicy"), flag(root, "RestrictPublicBuckets"));
        ctx.append(r, new BucketPublicAccessBlockChanged(b.name(), p));
        Responses.empty(resp, 200);
    }

    void deletePublicAccessBlock(S3Request r, HttpServletResponse resp) {
        Bucket b = r.scope().requireBucket();
        ctx.append(r, new BucketPublicAccessBlockChanged(b.name(), null));
        Responses.empty(resp, 204);
    }

    void getOwnershipControls(S3Request r, HttpServletResponse resp) throws IOException {
        String o = r.scope().requireBucket().ownership();
        if (o == null) {
            throw new S3Exception(S3Error.OWNERSHIP_CONTROLS_NOT_FOUND);
        }
        Responses.xml(resp, Xml.doc("OwnershipControls").open("Rule").el("ObjectOwnership", o).close().finish());
    }

    void putOwnershipControls(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = r.scope().requireBucket();
        Element root = XmlInput.readVerified(r, "OwnershipControls");
        List<Element> rules = XmlInput.children(root, "Rule");
        if (rules.size() != 1) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        String o = ownership(XmlInput.text(rules.get(0), "ObjectOwnership"));
        if (o == null) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        ctx.append(r, new BucketOwnershipChanged(b.name(), o));
        Responses.empty(resp, 200);
    }

    void deleteOwnershipControls(S3Request r, HttpServletResponse resp) {
        Bucket b = r.scope().requireBucket();
        ctx.append(r, new BucketOwnershipChanged(b.name(), null));
        Responses.empty(resp, 204);
    }

    /** An ObjectOwnership value as S3 spells it, or null when it is not one. */
    static String ownership(String value) {
        return value != null && Bucket.OWNERSHIPS.contains(value.trim()) ? value.trim() : null;
    }

    private static boolean flag(Element root, String name) {
        String v = XmlInput.text(root, name);
        if (v == null) {
            return false;
        }
        if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        return Boolean.parseBoolean(v.trim().toLowerCase(Locale.ROOT));
    }
}
