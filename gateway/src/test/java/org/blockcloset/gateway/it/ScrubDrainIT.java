package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scrub and drain (ADR 0011), on three nodes keeping two copies: bit rot and deleted block files on
 * one node are found by a scrub and replaced from the other replica, while reads never return wrong
 * bytes; then a node is drained under a writing client and removed, with nothing lost and nothing
 * left on it. Block holders are read directly from the nodes' block directories.
 */
class ScrubDrainIT {
    private static final Map<String, String> ENV = Map.of(
            "BLOCKCLOSET_REPLICATION", "2",
            "BLOCKCLOSET_REPAIR_INTERVAL", "1 second");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private TestCluster cluster;

    @AfterEach
    void stopAll() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void scrubRepairsRotAndADrainedNodeIsRemovedWithNothingLost() throws Exception {
        cluster = TestCluster.of(3, ENV);
        List<Node> nodes = cluster.nodes();
        Map<String, byte[]> objects = new ConcurrentHashMap<>();
        Random rnd = new Random(5);
        try (S3Client s3 = S3Asserts.noRetries(nodes.get(0))) {
            s3.createBucket(b -> b.bucket("rot"));
            for (int i = 0; i < 24; i++) {
                byte[] body = new byte[1 + rnd.nextInt(i % 4 == 0 ? 2_500_000 : 300_000)];
                rnd.nextBytes(body);
                String key = "obj-" + i;
                s3.putObject(p -> p.bucket("rot").key(key), RequestBody.fromBytes(body));
                objects.put(key, body);
            }
        }

        // Bit rot on one node: some block files get a flipped byte, others vanish.
        Node victim = nodes.get(1);
        List<Path> files = ClusterChecks.blockFiles(victim);
        assertTrue(files.size() >= 10, "blocks on " + victim.host() + ": " + files.size());
        for (int i = 0; i < 4; i++) {
            Path f = files.get(i);
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 0x5a;
            Files.write(f, b);
        }
        for (int i = 4; i < 8; i++) {
            Files.delete(files.get(i));
        }
        assertAllReadable(nodes, objects); // every read verifies, and asks another replica for a bad copy
        JsonNode started = AdminApi.post(victim, "/api/scrub");
        assertEquals(202, started.path("status").asInt(), started::toString);
        ClusterChecks.until("the scrub found the 4 corrupt copies", TIMEOUT, () -> AdminApi.get(victim, "/api/scrub").path("corruptFound").asInt() == 4
                && AdminApi.get(victim, "/api/scrub").path("state").asText().equals("waiting"));
        ClusterChecks.until("every block healthy on two nodes again", TIMEOUT, () -> allIntact(nodes) && ClusterChecks.holders(nodes).values().stream()
                .allMatch(on -> on.size() == 2) && ClusterChecks.holders(List.of(victim)).size() >= files.size());
        assertAllReadable(nodes, objects);

        // Drain the third node while a client keeps writing through the first.
        Node drained = nodes.get(2);
        String drainedId = nodeId(nodes.get(0), drained);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            Random r = new Random(9);
            try (S3Client s3 = S3Asserts.noRetries(nodes.get(0))) {
                for (int i = 0; i < 400 && writing.get(); i++) {
                    byte[] body = new byte[1 + r.nextInt(400_000)];
                    r.nextBytes(body);
                    String key = "during-drain-" + i;
                    try {
                        s3.putObject(p -> p.bucket("rot").key(key), RequestBody.fromBytes(body));
                        objects.put(key, body);
                    } catch (RuntimeException e) {
                        failures.add(key + ": " + e);
                    }
                }
            }
        }, "drain-writer");
        writer.start();
        try {
            JsonNode drain = AdminApi.post(nodes.get(1), "/api/nodes/" + drainedId + "/drain");
            assertEquals(202, drain.path("status").asInt(), drain::toString);
            JsonNode early = AdminApi.post(nodes.get(0), "/api/nodes/" + drainedId + "/remove");
            assertEquals(409, early.path("status").asInt(), "a node is not removed while it still holds blocks: " + early);
            ClusterChecks.until("the drained node holds no block", TIMEOUT, () -> ClusterChecks.blockFiles(drained).isEmpty());
        } finally {
            writing.set(false);
            writer.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertEquals(List.of(), failures, "no write failed during the drain");
        ClusterChecks.until("no block left on the drained node and every block on two others", TIMEOUT, () -> ClusterChecks.blockFiles(drained).isEmpty()
                && ClusterChecks.holders(nodes.subList(0, 2)).values().stream().allMatch(on -> on.size() == 2)
                && ClusterChecks.holders(nodes.subList(0, 2)).size() >= objects.size());
        ClusterChecks.until("the drained node can be removed", TIMEOUT, () -> AdminApi.post(nodes.get(0), "/api/nodes/" + drainedId + "/remove")
                .path("status").asInt() == 200);
        drained.kill();
        JsonNode after = AdminApi.get(nodes.get(1), "/api/cluster");
        assertEquals(2, after.path("nodes").size(), after::toString);
        assertAllReadable(nodes.subList(0, 2), objects);
        System.out.printf("scrub and drain: %d objects, all readable; the drained node was removed holding nothing%n", objects.size());
    }

    private static String nodeId(Node ask, Node which) throws Exception {
        for (JsonNode n : AdminApi.get(ask, "/api/cluster").path("nodes")) {
            if (n.path("address").asText().equals(which.host())) {
                return n.path("id").asText();
            }
        }
        throw new AssertionError("no node at " + which.host());
    }

    /** Every block file on every node hashes to its name. */
    private static boolean allIntact(List<Node> nodes) throws Exception {
        for (Node n : nodes) {
            for (Path f : ClusterChecks.blockFiles(n)) {
                String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
                if (!hex.equals(f.getFileName().toString())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void assertAllReadable(List<Node> gateways, Map<String, byte[]> objects) {
        for (Node n : gateways) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                objects.forEach((key, body) -> assertArrayEquals(body,
                        s3.getObjectAsBytes(g -> g.bucket("rot").key(key)).asByteArray(), key + " through " + n.host()));
            }
        }
    }
}
