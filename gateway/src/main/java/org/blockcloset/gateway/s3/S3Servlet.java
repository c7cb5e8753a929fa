package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.auth.ServletSignedRequest;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.blockcloset.gateway.auth.AuthContext;
import org.blockcloset.ledger.model.BucketPolicy;
import org.blockcloset.gateway.auth.SigV4Verifier;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.InsufficientStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 endpoint: assigns a request id, finds bucket and key, routes to the operation,
 * authenticates, dispatches to the operation's handler, and renders every failure as an S3 error.
 */
public final class S3Servlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(S3Servlet.class);
    private static final long MAX_DRAINED_BODY = 64 << 10;

    private final S3Context ctx;
    private final Addressing addressing;
    private final SigV4Verifier verifier;
    private final Map<S3Operation, S3Handler> handlers = new EnumMap<>(S3Operation.class);
    private final Acls acls;
    private final Policies policies;
    private final Cors cors;
    private final PostObjectHandler postObject;
    /** The Access-Control-* headers a request's CORS rule gave it: kept on its error response too. */
    private static final String CORS_HEADERS = "blockcloset.cors";
    private final Map<S3Operation, Timer> timers = new EnumMap<>(S3Operation.class);
    private final MetricRegistry metrics;

    private final boolean gateway;

    private static final String OPERATION = S3Servlet.class.getName() + ".operation";
    private static final java.time.Duration VIEWS_WAIT = java.time.Duration.ofSeconds(10);
    private final org.blockcloset.admin.RequestLog requests;

    /**
     * Header values kept as sent, on every port of the node: Jetty's parser matches common header
     * lines against a table ignoring case and hands back the table's spelling ("text/plain;
     * charset=UTF-8" as "...charset=utf-8"), and SigV4 signs values as sent.
     */
    public static void keepHeaderValues(org.eclipse.jetty.server.HttpConfiguration http) {
        http.setHeaderCacheCaseSensitive(true);
    }

    /**
     * The S3 port only (never the admin port, which refuses what walks): any URI an object key makes
     * ('//', '..', '%2F') reaches the servlet, and the handler decodes ambiguous ones instead of refusing them.
     */
    public static void acceptAnyObjectKey(org.eclipse.jetty.server.HttpConfiguration http,
                                          org.eclipse.jetty.ee10.servlet.ServletHandler handler) {
        http.setUriCompliance(org.eclipse.jetty.http.UriCompliance.UNSAFE);
        handler.setDecodeAmbiguousURIs(true);
    }

    /**
     * @param gateway  false on a node that only lends disk (BLOCKCLOSET_ROLES=storage): it answers every request 503
     * @param requests where each request's timings go (the console's diagnostics), or null
     */
    public S3Servlet(S3Context ctx, MetricRegistry metrics, boolean gateway, org.blockcloset.admin.RequestLog requests) {
        this.requests = requests;
        this.gateway = gateway;
        this.ctx = ctx;
        this.metrics = metrics;
        for (S3Operation op : S3Operation.values()) {
            timers.put(op, metrics.timer(MetricRegistry.name("s3", op.name().toLowerCase(java.util.Locale.ROOT))));
        }
        this.addressing = new Addressing(ctx.domains());
        this.verifier = new SigV4Verifier(ctx::secretOf, ctx.clock()).withSigV2(ctx.sigV2());
        this.acls = new Acls(ctx);
        this.cors = new Cors(ctx);
        this.policies = new Policies(ctx);
        this.postObject = new PostObjectHandler(ctx, verifier, acls, policies);
        BucketHandlers buckets = new BucketHandlers(ctx);
        handlers.put(S3Operation.LIST_BUCKETS, buckets::listBuckets);
        handlers.put(S3Operation.CREATE_BUCKET, buckets::createBucket);
        handlers.put(S3Operation.HEAD_BUCKET, buckets::headBucket);
        handlers.put(S3Operation.DELETE_BUCKET, buckets::deleteBucket);
        handlers.put(S3Operation.GET_BUCKET_LOCATION, buckets::getBucketLocation);
        VersioningHandlers versioning = new VersioningHandlers(ctx);
        handlers.put(S3Operation.GET_BUCKET_VERSIONING, versioning::getBucketVersioning);
        handlers.put(S3Operation.PUT_BUCKET_VERSIONING, versioning::putBucketVersioning);
        handlers.put(S3Operation.LIST_OBJECT_VERSIONS, versioning::listObjectVersions);
        handlers.put(S3Operation.GET_BUCKET_ACL, acls::getBucketAcl);
        handlers.put(S3Operation.PUT_BUCKET_ACL, acls::putBucketAcl);
        handlers.put(S3Operation.GET_OBJECT_ACL, acls::getObjectAcl);
        handlers.put(S3Operation.PUT_OBJECT_ACL, acls::putObjectAcl);
        handlers.put(S3Operation.GET_BUCKET_CORS, cors::getBucketCors);
        handlers.put(S3Operation.PUT_BUCKET_CORS, cors::putBucketCors);
        handlers.put(S3Operation.DELETE_BUCKET_CORS, cors::deleteBucketCors);
        handlers.put(S3Operation.GET_BUCKET_POLICY, policies::getBucketPolicy);
        handlers.put(S3Operation.PUT_BUCKET_POLICY, policies::putBucketPolicy);
        handlers.put(S3Operation.DELETE_BUCKET_POLICY, policies::deleteBucketPolicy);
        handlers.put(S3Operation.GET_BUCKET_POLICY_STATUS, policies::getBucketPolicyStatus);
        PublicAccess publicAccess = new PublicAccess(ctx);
        handlers.put(S3Operation.GET_PUBLIC_ACCESS_BLOCK, publicAccess::getPublicAccessBlock);
        handlers.put(S3Operation.PUT_PUBLIC_ACCESS_BLOCK, publicAccess::putPublicAccessBlock);
        handlers.put(S3Operation.DELETE_PUBLIC_ACCESS_BLOCK, publicAccess::deletePublicAccessBlock);
        handlers.put(S3Operation.GET_BUCKET_OWNERSHIP_CONTROLS, publicAccess::getOwnershipControls);
        handlers.put(S3Operation.PUT_BUCKET_OWNERSHIP_CONTROLS, publicAccess::putOwnershipControls);
        handlers.put(S3Operation.DELETE_BUCKET_OWNERSHIP_CONTROLS, publicAccess::deleteOwnershipControls);
        LifecycleHandlers lifecycle = new LifecycleHandlers(ctx);
        handlers.put(S3Operation.GET_BUCKET_LIFECYCLE, lifecycle::get);
        handlers.put(S3Operation.PUT_BUCKET_LIFECYCLE, lifecycle::put);
        handlers.put(S3Operation.DELETE_BUCKET_LIFECYCLE, lifecycle::delete);
        ObjectLockHandlers lock = new ObjectLockHandlers(ctx);
        handlers.put(S3Operation.GET_OBJECT_LOCK_CONFIGURATION, lock::getConfiguration);
        handlers.put(S3Operation.PUT_OBJECT_LOCK_CONFIGURATION, lock::putConfiguration);
        handlers.put(S3Operation.GET_OBJECT_RETENTION, lock::getRetention);
        handlers.put(S3Operation.PUT_OBJECT_RETENTION, lock::putRetention);
        handlers.put(S3Operation.GET_OBJECT_LEGAL_HOLD, lock::getLegalHold);
        handlers.put(S3Operation.PUT_OBJECT_LEGAL_HOLD, lock::putLegalHold);
        ListObjectsHandler list = new ListObjectsHandler(ctx);
        handlers.put(S3Operation.LIST_OBJECTS, list::listObjectsV1);
        handlers.put(S3Operation.LIST_OBJECTS_V2, list::listObjectsV2);
        handlers.put(S3Operation.PUT_OBJECT, new PutObjectHandler(ctx)::putObject);
        GetObjectHandler get = new GetObjectHandler(ctx);
        handlers.put(S3Operation.GET_OBJECT, get::getObject);
        handlers.put(S3Operation.HEAD_OBJECT, get::headObject);
        DeleteHandlers delete = new DeleteHandlers(ctx, policies);
        handlers.put(S3Operation.DELETE_OBJECT, delete::deleteObject);
        handlers.put(S3Operation.DELETE_OBJECTS, delete::deleteObjects);
        CopyObjectHandler copy = new CopyObjectHandler(ctx);
        handlers.put(S3Operation.COPY_OBJECT, copy::copyObject);
        handlers.put(S3Operation.UPLOAD_PART_COPY, copy::uploadPartCopy);
        MultipartHandlers mpu = new MultipartHandlers(ctx);
        handlers.put(S3Operation.CREATE_MULTIPART_UPLOAD, mpu::create);
        handlers.put(S3Operation.UPLOAD_PART, mpu::uploadPart);
        handlers.put(S3Operation.COMPLETE_MULTIPART_UPLOAD, mpu::complete);
        handlers.put(S3Operation.ABORT_MULTIPART_UPLOAD, mpu::abort);
        handlers.put(S3Operation.LIST_PARTS, mpu::listParts);
        handlers.put(S3Operation.LIST_MULTIPART_UPLOADS, mpu::listUploads);
        TaggingHandlers tagging = new TaggingHandlers(ctx);
        handlers.put(S3Operation.GET_OBJECT_TAGGING, tagging::getObjectTagging);
        handlers.put(S3Operation.PUT_OBJECT_TAGGING, tagging::putObjectTagging);
        handlers.put(S3Operation.DELETE_OBJECT_TAGGING, tagging::deleteObjectTagging);
        handlers.put(S3Operation.GET_BUCKET_TAGGING, tagging::getBucketTagging);
        handlers.put(S3Operation.PUT_BUCKET_TAGGING, tagging::putBucketTagging);
        handlers.put(S3Operation.DELETE_BUCKET_TAGGING, tagging::deleteBucketTagging);
        handlers.put(S3Operation.GET_OBJECT_ATTRIBUTES, new ObjectAttributesHandler(ctx)::getObjectAttributes);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        org.blockcloset.ledger.trace.Trace trace = org.blockcloset.ledger.trace.Trace.begin();
        String requestId = String.format("%016X", ThreadLocalRandom.current().nextLong());
        try {
            serve(req, resp, requestId);
        } finally {
            org.blockcloset.gateway.auth.ChunkBudget.releaseAll();
            java.util.List<org.blockcloset.ledger.trace.Trace.Stage> stages = trace.end("handler and response");
            if (requests != null) {
                Object op = req.getAttribute(OPERATION);
                requests.record(requestId, op == null ? "-" : op.toString(), req.getMethod(), req.getRequestURI(), resp.getStatus(),
                        trace.elapsedMicros(), req.getRemoteAddr(), stages);
            }
        }
    }

    /**
     * Runs the handler. A read that finds this node's views being restored (Streams moved or
     * restored a task, as after a broker failover) waits for them to run again, at most
     * {@link #VIEWS_WAIT}, and is tried once more if it has sent nothing yet: a read of an object
     * with a live replica must not fail because of a moment in this node's views.
     */
    private void handle(S3Operation op, S3Request request, HttpServletResponse resp, boolean read) throws IOException {
        try {
            handlers.get(op).handle(request, resp);
        } catch (org.blockcloset.ledger.view.ViewsUnavailableException e) {
            if (!read || resp.isCommitted()) {
                throw e;
            }
            long deadline = System.nanoTime() + VIEWS_WAIT.toNanos();
            while (!ctx.ledger().viewsRunning() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
            LOG.info("request {}: the views were being restored; read again", request.requestId());
            handlers.get(op).handle(request, resp);
        }
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp, String requestId) throws IOException {
        resp.setHeader("x-amz-request-id", requestId);
        resp.setHeader("x-amz-id-2", requestId);
        boolean head = "HEAD".equals(req.getMethod());
        String resource = req.getRequestURI();
        try {
            if (!gateway) {
                throw new S3Exception(S3Error.SERVICE_UNAVAILABLE, "This node only lends disk to the cluster "
                        + "(BLOCKCLOSET_ROLES=storage); send S3 requests to a gateway node.");
            }
            if (!ctx.ledger().ready()) {
                throw new S3Exception(S3Error.SERVICE_UNAVAILABLE, "The store is starting or its log is unavailable.");
            }
            // The raw path, on purpose: an S3 key is literal ("a/../b" is its own object), the signature's
            // canonical URI is the raw path, and the bucket and key read here once are what every
            // decision below (signature, key permissions, policy, ACLs) and the handler use. Nothing on
            // this port passes without credentials by a path prefix (ADR 0020; S3HandlersTest sends
            // dot-segments, plain and encoded, at a policy's open prefix).
            Addressing.Target target = addressing.resolve(req.getHeader("Host"), req.getRequestURI());
            Map<String, String> query = UriCodec.parseQuery(req.getQueryString());
            S3Operation op = Router.route(req.getMethod(), target.bucket(), target.key(), query,
                    req.getHeader("x-amz-copy-source") != null);
            req.setAttribute(OPERATION, op);
            if (op == S3Operation.PREFLIGHT) {
                if (target.bucket() != null) {
                    BucketNames.check(target.bucket());
                }
                cors.preflight(req, resp, target.bucket());
                return;
            }
            RequestScope scope = new RequestScope(ctx, target.bucket());
            if (target.bucket() != null && req.getHeader("Origin") != null) {
                Map<String, String> corsHeaders = cors.headersFor(req, target.bucket(), scope);
                corsHeaders.forEach(resp::setHeader);
                req.setAttribute(CORS_HEADERS, corsHeaders);
            }
            if (op == S3Operation.POST_OBJECT) {
                // Authenticated by the form's signed policy, not by a request signature.
                BucketNames.check(target.bucket());
                postObject.post(req, resp, target.bucket(), requestId);
                return;
            }
            AuthContext auth = verifier.withSecrets(scope::secretOf).verify(new ServletSignedRequest(req),
                    target.fromHost() ? target.bucket() : null);
            if (!auth.plusIsSpace() && req.getQueryString() != null && req.getQueryString().indexOf('+') >= 0) {
                // Signed reading '+' as a plus: the parameters are read that way too, not as form-encoded spaces.
                query = UriCodec.parseQuery(req.getQueryString(), false);
                op = Router.route(req.getMethod(), target.bucket(), target.key(), query, req.getHeader("x-amz-copy-source") != null);
                req.setAttribute(OPERATION, op);
            }
            UnsupportedFeatures.check(op, req);
            // On every request, not only CreateBucket: "/a%2Fb/c" must not reach key "b/c" of bucket "a".
            if (target.bucket() != null) {
                BucketNames.check(target.bucket());
            }
            // Reads, and deletes (which act only on what the views hold), see every write acknowledged
            // through another gateway before them, the bucket's policy and guards included: the barrier
            // comes before the decisions. Writes are decided by the fold in log order instead.
            if (head || "GET".equals(req.getMethod()) || "DELETE".equals(req.getMethod())
                    || op == S3Operation.DELETE_OBJECTS) {
                scope.readBarrier();
            }
            // The bucket's policy first (ADR 0020): its Deny refuses whatever else would allow; its
            // Allow lets in what the key's permissions and the ACLs would not.
            String principal = auth.isAnonymous() ? null : auth.accessKeyId();
            BucketPolicy.Decision policy = policies.decide(op, target.bucket(), target.key(), query, principal, req, scope);
            policies.checkCopySource(op, req.getHeader("x-amz-copy-source"), principal, req);
            if (auth.isAnonymous()) {
                // Only what a policy or an ACL opens to everyone (ADR 0014); the rest is refused before anything is read.
                if (policy == BucketPolicy.Decision.ALLOW) {
                    req.setAttribute(Policies.ADMITTED, Boolean.TRUE);
                } else if (!acls.allows(op, target.bucket(), target.key(), query.get("versionId"), false, scope)) {
                    throw new S3Exception(S3Error.ACCESS_DENIED, "Anonymous access is not allowed here; sign the request.");
                } else {
                    req.setAttribute(Acls.ADMITTED, Boolean.FALSE);
                }
            } else {
                try {
                    Permissions.check(scope.key(auth.accessKeyId()).orElse(null), op, target.bucket(),
                            req.getHeader("x-amz-copy-source"));
                } catch (S3Exception denied) {
                    if (policy == BucketPolicy.Decision.ALLOW) {
                        // The policy opens this bucket, not a copy's source: the key must reach that itself.
                        Permissions.checkCopySource(scope.key(auth.accessKeyId()).orElse(null), op, req.getHeader("x-amz-copy-source"));
                        req.setAttribute(Policies.ADMITTED, Boolean.TRUE);
                    } else if (!acls.allows(op, target.bucket(), target.key(), query.get("versionId"), true, scope)) {
                        throw denied;
                    } else {
                        req.setAttribute(Acls.ADMITTED, Boolean.TRUE);
                    }
                }
            }
            org.blockcloset.ledger.trace.Trace.mark("auth");
            S3Request request = new S3Request(requestId, req, op, target.bucket(), target.key(), query, auth, scope);
            resource = request.resource();
            PublicAccess.checkAclHeader(op, request, scope.bucket().orElse(null));
            try (Timer.Context ignored = timers.get(op).time()) {
                handle(op, request, resp, head || "GET".equals(req.getMethod()));
            }
        } catch (S3Exception e) {
            fail(req, resp, head, e, resource, requestId);
        } catch (InsufficientStorageException e) {
            fail(req, resp, head, new S3Exception(S3Error.INSUFFICIENT_STORAGE, e.getMessage()), resource, requestId);
        } catch (org.blockcloset.gateway.object.ReplicationException e) {
            LOG.warn("request {}: {}", requestId, e.getMessage());
            fail(req, resp, head, new S3Exception(S3Error.SERVICE_UNAVAILABLE, "Too few nodes confirmed the data; retry."),
                    resource, requestId);
        } catch (CorruptBlockException e) {
            LOG.error("request {} hit a corrupt block: {}", requestId, e.getMessage());
            fail(req, resp, head, new S3Exception(S3Error.INTERNAL_ERROR, "A block of this object failed its checksum; "
                    + "the store refuses to return corrupt data."), resource, requestId);
        } catch (IOException e) {
            if (isDiskFull(e)) {
                fail(req, resp, head, new S3Exception(S3Error.INSUFFICIENT_STORAGE, "The disk is full."), resource, requestId);
            } else {
                LOG.warn("request {} failed: {}", requestId, e.toString());
                fail(req, resp, head, new S3Exception(S3Error.INTERNAL_ERROR), resource, requestId);
            }
        } catch (org.blockcloset.ledger.view.ViewsUnavailableException e) {
            fail(req, resp, head, new S3Exception(S3Error.SERVICE_UNAVAILABLE, "The views are being restored; retry."),
                    resource, requestId);
        } catch (RuntimeException e) {
            LOG.error("request {} failed", requestId, e);
            fail(req, resp, head, new S3Exception(S3Error.INTERNAL_ERROR), resource, requestId);
        }
    }

    private static boolean isDiskFull(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("No space left on device");
    }

    private void fail(HttpServletRequest req, HttpServletResponse resp, boolean head, S3Exception e, String resource,
                      String requestId) throws IOException {
        metrics.meter(MetricRegistry.name("s3", "errors", e.error().code())).mark();
        if (resp.isCommitted()) {
            // Bytes are on the wire: the only honest signal left is to cut the connection short.
            throw new IOException("aborting response after error: " + e.error().code());
        }
        boolean keepAlive = drainUnreadBody(req);
        if (req.getAttribute(CORS_HEADERS) instanceof Map<?, ?> corsHeaders) {
            corsHeaders.forEach((name, value) -> e.withHeader((String) name, (String) value));
        }
        ErrorResponses.render(resp, head, e, resource, requestId);
        if (!keepAlive) {
            resp.setHeader("Connection", "close");
        }
    }

    /**
     * An error may answer a request before its body was read. A small body is read and dropped so
     * the connection stays usable; a large one, or one the client holds back for 100-continue, is
     * not worth receiving: the connection is closed instead, and the response says so.
     */
    private static boolean drainUnreadBody(HttpServletRequest req) {
        long length = req.getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding"));
        if (length <= 0 && !chunked) {
            return true;
        }
        if (chunked || length > MAX_DRAINED_BODY || "100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
            return false;
        }
        try {
            return req.getInputStream().readNBytes((int) MAX_DRAINED_BODY + 1).length <= MAX_DRAINED_BODY;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
