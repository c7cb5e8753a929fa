package org.blockcloset.storage.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * Who this node is and the secret of the cluster it belongs to, kept in {@code <data>/node.properties}
 * (0600): made at the first start of a cluster's first node, or received when a node joins. The
 * cluster secret authenticates node-to-node calls and seals secrets (ADRs 0006, 0007); it never
 * appears in logs or in the event log.
 *
 * @param kraftId             the node's id in the Kafka (KRaft) cluster
 * @param viewsId             the Streams application id of this node's views
 * @param kafkaClusterId      the Kafka cluster id a joining node formats its log with; null for the first node
 * @param controller          whether this node runs a KRaft controller (the first three nodes)
 * @param controllerBootstrap {@code host:port,...} of the controllers, for a node that did not create the quorum
 */
public record NodeIdentity(String nodeId, int kraftId, byte[] clusterSecret, String viewsId, String kafkaClusterId,
                           boolean controller, String controllerBootstrap) {
    static final String FILE = "node.properties";
    /** The views id of a cluster's first node (and of every single-host store before clusters). */
    public static final String FIRST_VIEWS_ID = "blockcloset-views";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static Optional<NodeIdentity> load(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = PrivateFile.load(file);
        String id = p.getProperty("nodeId");
        String secret = p.getProperty("clusterSecret");
        if (id == null || secret == null) {
            throw new IllegalStateException(file + " lacks nodeId or clusterSecret; restore it from a backup or "
                    + "move the data directory aside");
        }
        return Optional.of(new NodeIdentity(id, Integer.parseInt(p.getProperty("kraftId", "1")),
                Base64.getDecoder().decode(secret), p.getProperty("viewsId", FIRST_VIEWS_ID),
                p.getProperty("kafkaClusterId"), Boolean.parseBoolean(p.getProperty("controller", "true")),
                p.getProperty("controllerBootstrap", "")));
    }

    /** A new id for a node that is about to create or join a cluster. */
    public static String newNodeId() {
        byte[] id = new byte[4];
        RANDOM.nextBytes(id);
        return "node-" + HexFormat.of().formatHex(id);
    }

    /**
     * The id a joining node asks for, kept in {@code <data>/join-pending.properties} until the join
     * succeeds: a retry after a lost answer asks for the same id (the member answers it again)
     * instead of leaving a ghost member behind.
     */
    public static String pendingNodeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("join-pending.properties");
        if (Files.exists(file)) {
            String id = PrivateFile.load(file).getProperty("nodeId");
            if (id != null) {
                return id;
            }
        }
        Properties p = new Properties();
        p.setProperty("nodeId", newNodeId());
        PrivateFile.store(file, p, "Block Closet: the node id of a join in progress");
        return p.getProperty("nodeId");
    }

    /** The identity of a cluster's first node, made at its first start. */
    public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
        Optional<NodeIdentity> existing = load(dataDir);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        NodeIdentity n = new NodeIdentity(newNodeId(), 1, secret, FIRST_VIEWS_ID, null, true, "");
        n.store(dataDir);
        return n;
    }

    /** Writes this identity to {@code <data>/node.properties} (0600). */
    public void store(Path dataDir) throws IOException {
        storeFile(dataDir);
        Files.deleteIfExists(dataDir.resolve("join-pending.properties"));
    }

    private void storeFile(Path dataDir) throws IOException {
        Properties p = new Properties();
        p.setProperty("nodeId", nodeId);
        p.setProperty("kraftId", Integer.toString(kraftId));
        p.setProperty("clusterSecret", Base64.getEncoder().encodeToString(clusterSecret));
        p.setProperty("viewsId", viewsId);
        if (kafkaClusterId != null) {
            p.setProperty("kafkaClusterId", kafkaClusterId);
        }
        p.setProperty("controller", Boolean.toString(controller));
        p.setProperty("controllerBootstrap", controllerBootstrap);
        PrivateFile.store(dataDir.resolve(FILE), p, "Block Closet node identity and cluster secret: keep private");
    }

    /** A copy that finds the controller quorum through these addresses on its next start. */
    public NodeIdentity withViewsId(String id) {
        return new NodeIdentity(nodeId, kraftId, clusterSecret, id, kafkaClusterId, controller, controllerBootstrap);
    }

    public NodeIdentity withControllerBootstrap(String bootstrap) {
        return new NodeIdentity(nodeId, kraftId, clusterSecret, viewsId, kafkaClusterId, controller, bootstrap);
    }

    /**
     * A secret for one purpose (the log's password, the access-key encryption key), derived from the
     * cluster secret with HMAC-SHA256 so that one leaked derivative reveals neither the others nor the
     * cluster secret. Base64url without padding.
     */
    public String derivedSecret(String purpose) {
        return derivedSecret(clusterSecret, purpose);
    }

    /** {@link #derivedSecret(String)} from a cluster secret at hand. */
    public static String derivedSecret(byte[] clusterSecret, String purpose) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(clusterSecret, "blockcloset " + purpose + " v1"));
    }

    /**
     * The cluster port's TLS (ADR 0015): every member shows, and trusts only, the key derived from
     * the cluster secret for it.
     */
    public javax.net.ssl.SSLContext clusterPortTls() {
        return clusterPortTls(clusterSecret);
    }

    public static javax.net.ssl.SSLContext clusterPortTls(byte[] clusterSecret) {
        return org.blockcloset.ledger.kafka.ClusterTls.sslContext(derivedSecret(clusterSecret, CLUSTER_PORT_TLS));
    }

    private static final String CLUSTER_PORT_TLS = "cluster-port-tls";

    /** {@link #derivedSecret} as 32 raw bytes (a key). */
    public byte[] derivedKey(String purpose) {
        return hmac(clusterSecret, "blockcloset " + purpose + " v1");
    }

    static byte[] hmac(byte[] key, String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "NodeIdentity[" + nodeId + ", kraft " + kraftId + "]"; // never the secret
    }
}
