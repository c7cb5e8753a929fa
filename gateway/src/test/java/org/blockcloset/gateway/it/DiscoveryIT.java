package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Discovery on a LAN for real: two network namespaces (this one and a new one) joined by a veth
 * pair made and removed by the test, so mDNS multicast crosses a real link. A member announces the
 * cluster (BLOCKCLOSET_DISCOVERY's default, on a non-loopback address); a node started with
 * BLOCKCLOSET_JOIN=discover and no token is listed on the member as waiting and stays out; started
 * again with only a token, it finds the cluster and joins it.
 */
class DiscoveryIT {
    private final String suffix = Integer.toString(new Random().nextInt(1 << 16), 36);
    private final String netns = "bc-disc-" + suffix;
    private final String hostSide = "bcd" + suffix + "a";
    private final String nsSide = "bcd" + suffix + "b";
    private final String subnet = "10.213." + (1 + new Random().nextInt(250));
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    /** This namespace ↔ a new one over a veth pair: {@code <subnet>.1} here, {@code <subnet>.2} there. */
    private void makeLink() throws Exception {
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim());
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(root, "network namespaces need root; CI runs as root and runs this test");
        }
        assertTrue(root, "network namespaces need root (CI runs as root)");
        run(ItSupport.IP, "netns", "add", netns);
        cleanup.add(() -> run(ItSupport.IP, "netns", "del", netns));
        run(ItSupport.IP, "link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
        cleanup.add(() -> run(ItSupport.IP, "link", "del", hostSide)); // takes its peer along
        run(ItSupport.IP, "link", "set", nsSide, "netns", netns);
        run(ItSupport.IP, "addr", "add", subnet + ".1/24", "dev", hostSide);
        run(ItSupport.IP, "link", "set", hostSide, "up");
        run(ItSupport.IP, "netns", "exec", netns, ItSupport.IP, "addr", "add", subnet + ".2/24", "dev", nsSide);
        run(ItSupport.IP, "netns", "exec", netns, ItSupport.IP, "link", "set", nsSide, "up");
        run(ItSupport.IP, "netns", "exec", netns, ItSupport.IP, "link", "set", "lo", "up");
    }

    private static JsonNode waitingOn(Node member, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode d;
        do {
            d = AdminApi.get(member, "/api/discovered");
            assertEquals(200, d.path("status").asInt(), d::toString);
            if (d.path("waiting").size() > 0) {
                return d;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        } while (System.nanoTime() < deadline);
        return d;
    }

    @Test
    void aNodeWithOnlyATokenFindsTheClusterOnTheLanAndAWaitingOneIsListedButStaysOut() throws Exception {
        makeLink();
        Path dir = TempDirs.create("blockcloset-discovery-");
        cleanup.add(() -> TempDirs.delete(dir));

        Node member = Node.startAt(subnet + ".1", dir.resolve("member"), Map.of("NODE_HEAP", TestCluster.HEAP));
        cleanup.add(member::kill);
        Map<String, String> env = new HashMap<>(Map.of("NODE_HEAP", TestCluster.HEAP, "NODE_NETNS", netns,
                "BLOCKCLOSET_JOIN", "discover"));
        Node newcomer = Node.at(subnet + ".2", dir.resolve("newcomer"), env);
        cleanup.add(newcomer::kill);

        // Without a token it is seen, with what lets it in, and is not let in.
        newcomer.launchAsync();
        JsonNode d = waitingOn(member, Duration.ofSeconds(90));
        assertEquals(1, d.path("waiting").size(), () -> d + "\n" + newcomer.log());
        JsonNode waiting = d.path("waiting").get(0);
        assertEquals(subnet + ".2", waiting.path("address").asText(), d::toString);
        assertTrue(waiting.path("letIn").asText().contains("BLOCKCLOSET_JOIN_TOKEN="), d::toString);
        assertEquals(1, AdminApi.get(member, "/api/cluster").path("nodes").size(), "nothing joins without a token");
        // The console's Nodes page lists it too (set up over HTTP with the code the member printed).
        ConsoleIT.ConsoleHttp console = new ConsoleIT.ConsoleHttp(member);
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("Console setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})")
                .matcher(java.nio.file.Files.readString(member.log()));
        assertTrue(code.find(), "the member printed its console setup code");
        Map<String, String> setup = new java.util.LinkedHashMap<>();
        setup.put("csrf", console.csrf("/console/setup"));
        setup.put("setupCode", code.group(1));
        setup.put("clusterName", "lan");
        setup.put("adminUser", "admin");
        setup.put("password", "correct horse battery");
        setup.put("password2", "correct horse battery");
        assertEquals(302, console.post("/console/setup", setup).statusCode());
        String nodesPage = console.get("/console/nodes").body();
        assertTrue(nodesPage.contains("Waiting to join") && nodesPage.contains(waiting.path("nodeId").asText())
                && nodesPage.contains(subnet + ".2"), nodesPage);

        // Started again with only a token (no address): it finds the member on the LAN and joins.
        newcomer.kill();
        JsonNode token = AdminApi.post(member, "/api/join-tokens");
        assertEquals(201, token.path("status").asInt(), token::toString);
        newcomer.removeEnv("BLOCKCLOSET_JOIN");
        newcomer.setEnv("BLOCKCLOSET_JOIN_TOKEN", token.path("token").asText());
        newcomer.relaunch();

        JsonNode cluster = AdminApi.get(member, "/api/cluster");
        assertEquals(2, cluster.path("nodes").size(), cluster::toString);
        boolean sameNode = false;
        for (JsonNode n : cluster.path("nodes")) {
            sameNode |= n.path("nodeId").asText().equals(waiting.path("nodeId").asText());
        }
        assertTrue(sameNode, "the node that waited is the one that joined: " + cluster + " / " + waiting);
        assertEquals(0, waitingOn(member, Duration.ZERO).path("waiting").size(), "a member is no longer listed as waiting");

        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        try (S3Client a = member.client(); S3Client b = newcomer.client()) {
            a.createBucket(c -> c.bucket("found"));
            a.putObject(p -> p.bucket("found").key("k"), RequestBody.fromBytes(data));
            org.junit.jupiter.api.Assertions.assertArrayEquals(data,
                    b.getObjectAsBytes(g -> g.bucket("found").key("k")).asByteArray());
        }
    }
}
