package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
        }
        ClusterChecks.putRandom(nodes.get(0), "rot", rnd, 24, "obj-", i -> i % 4 == 0 ? 2_500_000 : 300_000, objects);

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
        ClusterChecks.assertAllReadable(nodes, "rot", objects); // every read verifies, and asks another replica for a bad copy
        JsonNode started = AdminApi.post(victim, "/api/scrub");
        assertEquals(202, started.path("status").asInt(), started::toString);
        ClusterChecks.until("the scrub found the 4 corrupt copies", TIMEOUT, () -> AdminApi.get(victim, "/api/scrub").path("corruptFound").asInt() == 4
                && AdminApi.get(victim, "/api/scrub").path("state").asText().equals("waiting"));
        ClusterChecks.until("every block healthy on two nodes again", TIMEOUT, () -> allIntact(nodes) && ClusterChecks.holders(nodes).values().stream()
                .allMatch(on -> on.size() == 2) && ClusterChecks.holders(List.of(victim)).size() >= files.size());
        ClusterChecks.assertAllReadable(nodes, "rot", objects);

        // Drain the third node while a client keeps writing through the first.
        Node drained = nodes.get(2);
        String drainedId = nodeId(nodes.get(0), drained);
        List<String> failures;
        // The drain is asked for in the console of the second node, in a real browser, and watched there.
        try (Browser b = new Browser()) {
            b.setUp(nodes.get(1), "drain test password");
            ClusterChecks.BackgroundWriter writer = new ClusterChecks.BackgroundWriter(nodes.get(0), "rot", 9, 400, 400_000,
                    "during-drain-", objects);
            try {
                b.open(nodes.get(1).adminUrl() + "/console/nodes");
                b.clickAndWait("#drain-" + drainedId);
                assertTrue(b.text("#preview").contains("move to the other nodes"), b.text("#preview"));
                b.screenshot("20-drain-preview");
                b.clickAndWait("#confirm");
                assertTrue(b.text("#nodes").contains("draining"), b.text("#nodes"));
                b.screenshot("21-draining");
                JsonNode early = AdminApi.post(nodes.get(0), "/api/nodes/" + drainedId + "/remove");
                assertEquals(409, early.path("status").asInt(), "a node is not removed while it still holds blocks: " + early);
                ClusterChecks.until("the drained node holds no block", TIMEOUT, () -> ClusterChecks.blockFiles(drained).isEmpty());
                b.open(nodes.get(1).adminUrl() + "/console/nodes");
                b.screenshot("22-drained");
                // The membership replayed from the log as of now: the node is recorded as draining.
                b.open(nodes.get(1).adminUrl() + "/console/nodes/asof?at=" + java.time.Instant.now().plusSeconds(1));
                String members = b.text("#members");
                assertTrue(members.contains(drainedId) && members.contains("draining"), members);
                b.screenshot("23-membership-replayed");
            } finally {
                failures = writer.stop();
            }
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
        ClusterChecks.assertAllReadable(nodes.subList(0, 2), "rot", objects);
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
}
