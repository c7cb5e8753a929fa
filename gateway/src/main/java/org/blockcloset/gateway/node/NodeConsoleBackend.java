package org.blockcloset.gateway.node;

import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.storage.care.BlockPlacement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.UUID;
import org.blockcloset.gateway.auth.Presigner;
import org.blockcloset.gateway.object.ObjectService;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.gateway.s3.S3Context;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.service.AccessKeyService;
import org.blockcloset.ledger.service.Caller;
import org.blockcloset.ledger.model.ObjectVersion;
import java.util.List;
import java.util.Map;
import org.blockcloset.ledger.model.BlockRef;
import java.util.Optional;
import java.util.function.Supplier;
import org.blockcloset.admin.ConsoleBackend;
import org.blockcloset.ledger.Ledger;

/** The console's view of this node: the log, key making, bucket rules and the cluster report. */
public final class NodeConsoleBackend implements ConsoleBackend {
    /** The description of the key that signs the console's download and share links. */
    public static final String SHARE_KEY = "console share links";
    private final Ledger ledger;
    private final SecretBox box;
    private final AdminAuth adminAuth;
    private final AccessKeyService accessKeys;
    private final Supplier<Integer> s3Port;
    private final String region;
    private final Optional<AccessKeyPair> bootstrap;
    private final Supplier<Map<String, Object>> cluster;
    private final org.blockcloset.storage.care.BlockPlacement placement;
    private final org.blockcloset.storage.BlockStore blocks;
    private final ObjectService objects;
    private Map<String, Object> settings = Map.of();
    private java.util.function.Function<String, Map<String, Object>> joinTokens;
    private NodeActions nodeActions;

    /** Drains or removes a node (NodeService.s one way to do it). */
    public interface NodeActions {
        Map<String, Object> act(String actor, String nodeId, String action);
    }

    /** Previews or makes a capacity/zone change (NodeService.s one way to do it). */
    public interface CapacityChanges {
        Map<String, Object> change(String actor, String nodeId, String capacity, String zone, boolean apply);
    }

    private CapacityChanges capacityChanges;
    private Supplier<Map<String, Object>> scrub = Map::of;

    private java.util.function.Function<String, String> testAlert = actor -> "no webhook is set (BLOCKCLOSET_ALERT_WEBHOOK)";

    /** How the console's "send a test alert" sends one. */
    public NodeConsoleBackend withTestAlert(java.util.function.Function<String, String> send) {
        this.testAlert = send;
        return this;
    }

    @Override
    public String sendTestAlert(String actor) {
        return testAlert.apply(actor);
    }

    public NodeConsoleBackend withScrub(Supplier<Map<String, Object>> status) {
        this.scrub = status;
        return this;
    }

    @Override
    public Map<String, Object> scrubStatus() {
        return scrub.get();
    }

    private Supplier<java.util.List<Map<String, Object>>> waiting = java.util.List::of;

    /** Nodes on the LAN waiting to join, as the discovery sees them. */
    public NodeConsoleBackend withWaitingToJoin(Supplier<java.util.List<Map<String, Object>>> seen) {
        this.waiting = seen;
        return this;
    }

    @Override
    public java.util.List<Map<String, Object>> waitingToJoin() {
        return waiting.get();
    }

    @Override
    public long underReplicatedLogPartitions() {
        return UnderReplicatedPartitions.local();
    }

    public NodeConsoleBackend withCapacityChanges(CapacityChanges changes) {
        this.capacityChanges = changes;
        return this;
    }

    @Override
    public Map<String, Object> capacityChange(String actor, String nodeId, String capacity, String zone, boolean apply) {
        return capacityChanges.change(actor, nodeId, capacity, zone, apply);
    }

    private String s3Scheme = "http";

    public NodeConsoleBackend(Ledger ledger, SecretBox box, AccessKeyService accessKeys, AdminAuth adminAuth,
                              Supplier<Integer> s3Port, String region,
                              BootstrapKey.Credentials bootstrap, org.blockcloset.storage.care.BlockPlacement placement,
                              org.blockcloset.storage.BlockStore blocks, ObjectService objects,
                              Supplier<Map<String, Object>> cluster) {
        this.ledger = ledger;
        this.box = box;
        this.accessKeys = accessKeys;
        this.adminAuth = adminAuth;
        this.s3Port = s3Port;
        this.region = region;
        this.bootstrap = Optional.ofNullable(bootstrap).map(k -> new AccessKeyPair(k.accessKeyId(), k.secretAccessKey()));
        this.placement = placement;
        this.blocks = blocks;
        this.objects = objects;
        this.cluster = cluster;
    }

    /** The node's settings as the diagnostic bundle shows them: the caller leaves every secret out. */
    /** The S3 port speaks TLS: the Connect page and share links say https. */
    public NodeConsoleBackend withTls(boolean tls) {
        this.s3Scheme = tls ? "https" : "http";
        return this;
    }

    @Override
    public String s3Scheme() {
        return s3Scheme;
    }

    public NodeConsoleBackend withSettings(Map<String, Object> withoutSecrets) {
        this.settings = Map.copyOf(withoutSecrets);
        return this;
    }

    public NodeConsoleBackend withNodeActions(java.util.function.Function<String, Map<String, Object>> joinTokens,
                                              NodeActions nodeActions) {
        this.joinTokens = joinTokens;
        this.nodeActions = nodeActions;
        return this;
    }

    @Override
    public Map<String, Object> createJoinToken(String actor) {
        return joinTokens.apply(actor);
    }

    @Override
    public Map<String, Object> nodeAction(String actor, String nodeId, String action) {
        return nodeActions.act(actor, nodeId, action);
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public int s3Port() {
        return s3Port.get();
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public Optional<AccessKeyPair> bootstrapKey() {
        // Shown only while the key is active: a revoked first key is no way in.
        return bootstrap.filter(k -> ledger.views().accessKey(k.accessKeyId()).filter(a -> a.active()).isPresent());
    }

    @Override
    public AccessKeyService accessKeys() {
        return accessKeys;
    }

    @Override
    public int copiesFor(String bucket) {
        return placement.copiesFor(bucket);
    }

    @Override
    public Map<String, Object> cluster() {
        return cluster.get();
    }

    @Override
    public List<Map<String, String>> holders(BlockRef block, int copies) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String node : placement.replicas(block.id(), copies)) {
            String state;
            try {
                boolean has = node.equals(placement.self()) ? blocks.has(block.id()) : placement.client(node).has(block.id());
                state = has ? "has" : "missing";
            } catch (java.io.IOException | RuntimeException e) {
                state = "unreachable";
            }
            out.add(Map.of("node", node, "state", state));
        }
        return out;
    }

    @Override
    public String putObject(String actor, String source, String bucket, String key, String contentType, long length,
                            InputStream body) throws Refused, IOException {
        if (ledger.views().bucket(bucket).isEmpty()) {
            throw new Refused(404, "There is no bucket " + bucket + ".");
        }
        if (key == null || key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new Refused(400, "An object key has 1 to 1024 bytes.");
        }
        if (length < 0) {
            throw new Refused(411, "The upload must say its length.");
        }
        if (length > S3Context.MAX_PUT_SIZE) {
            throw new Refused(400, "One upload takes at most 5 GiB; use an S3 client's multipart upload for larger files.");
        }
        if (length > objects.freeSpace()) {
            throw new Refused(507, "The store has not enough free space for " + length + " bytes.");
        }
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (WriteSet write = objects.begin(bucket)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = body.read(buf)) > 0) {
                total += n;
                if (total > length) {
                    throw new Refused(400, "The upload is longer than it said.");
                }
                md5.update(buf, 0, n);
                write.write(buf, 0, n);
            }
            if (total != length) {
                throw new Refused(400, "The upload ended after " + total + " of " + length + " bytes.");
            }
            List<BlockRef> written = write.endRun();
            String etag = '"' + HexFormat.of().formatHex(md5.digest()) + '"';
            Map<String, String> headers = contentType == null || contentType.isBlank() ? Map.of() : Map.of("content-type", contentType);
            ObjectVersion o = new ObjectVersion(bucket, key, UUID.randomUUID().toString(), length, etag, Instant.now(),
                    headers, Map.of(), Map.of(), null, null, written);
            objects.commit(write, actor, UUID.randomUUID().toString(), source, new ObjectPut(o, null));
            return etag;
        } catch (org.blockcloset.storage.InsufficientStorageException e) {
            throw new Refused(507, "The store has not enough free space: " + e.getMessage());
        } catch (RejectedException e) {
            throw new Refused(e.rejection() == org.blockcloset.ledger.model.Rejection.NO_SUCH_BUCKET ? 404 : 409,
                    "The upload was refused: " + e.rejection().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ".");
        } catch (LedgerUnavailableException e) {
            throw new Refused(503, "The event log is unavailable; the upload was not stored. Try again shortly.");
        }
    }

    @Override
    public String presignGet(String host, String bucket, String key, Duration expires, Map<String, String> extra) throws Exception {
        AccessKey signer = ledger.views().accessKeys().stream().filter(k -> k.active() && SHARE_KEY.equals(k.description()))
                .min(java.util.Comparator.comparing(AccessKey::created)).orElse(null);
        if (signer == null) {
            // The share-link signer reads, nothing more: a link it signs can only GET.
            String id = accessKeys.create(Caller.of("console", null), SHARE_KEY, false, Map.of(AccessKey.EVERY_BUCKET, "read"))
                    .accessKeyId();
            signer = ledger.views().accessKey(id).orElseThrow();
        }
        if (signer.buckets() == null) {
            // A signer made before keys started empty reaches every bucket as owner: make it read only.
            accessKeys.setBuckets(Caller.of("console", null), signer.accessKeyId(), Map.of(AccessKey.EVERY_BUCKET, "read"));
        }
        String secret = box.secretOf(signer).orElseThrow(() -> new IllegalStateException("the share key's secret cannot be opened"));
        return Presigner.presignGet(s3Scheme, host + ":" + s3Port.get(), bucket, key, region, signer.accessKeyId(), secret, Instant.now(),
                expires, extra);
    }

    @Override
    public long viewLag() {
        return ledger.lag();
    }

    @Override
    public String version() {
        String v = NodeConsoleBackend.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public Map<String, Object> settingsWithoutSecrets() {
        return settings;
    }

    @Override
    public boolean readBarrier() {
        return adminAuth.readBarrier();
    }
}
