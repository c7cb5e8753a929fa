package org.blockcloset.gateway.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Who this node is (its id, and its id in the Kafka cluster) and the secret of the cluster it belongs to, made at the first start and kept
 * in {@code <data>/node.properties} (0600). The cluster secret authenticates node-to-node calls
 * (see ADR 0006); it never appears in logs or in the event log.
 */
public record NodeIdentity(String nodeId, int kraftId, byte[] clusterSecret) {
    static final String FILE = "node.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = PrivateFile.load(file);
            String id = p.getProperty("nodeId");
            String secret = p.getProperty("clusterSecret");
            if (id == null || secret == null) {
                throw new IllegalStateException(file + " lacks nodeId or clusterSecret; restore it from a backup or "
                        + "move the data directory aside");
            }
            return new NodeIdentity(id, Integer.parseInt(p.getProperty("kraftId", "1")), Base64.getDecoder().decode(secret));
        }
        byte[] id = new byte[4];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        NodeIdentity n = new NodeIdentity("node-" + HexFormat.of().formatHex(id), 1, secret);
        Properties p = new Properties();
        p.setProperty("nodeId", n.nodeId());
        p.setProperty("kraftId", Integer.toString(n.kraftId()));
        p.setProperty("clusterSecret", Base64.getEncoder().encodeToString(secret));
        PrivateFile.store(file, p, "Block Closet node identity and cluster secret: keep private");
        return n;
    }

    /**
     * A secret for one purpose (the log's password, the access-key encryption key), derived from the
     * cluster secret with HMAC-SHA256 so that one leaked derivative reveals neither the others nor the
     * cluster secret. Base64url without padding.
     */
    public String derivedSecret(String purpose) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(derivedKey(purpose));
    }

    /** {@link #derivedSecret} as 32 raw bytes (a key). */
    public byte[] derivedKey(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(clusterSecret, "HmacSHA256"));
            return mac.doFinal(("blockcloset " + purpose + " v1").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "NodeIdentity[" + nodeId + "]"; // never the secret
    }
}
