package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Three nodes, every block on all three (r = 3, write quorum 2): node-to-node traffic is encrypted,
 * a corrupt copy is never served, and the store stays writable and readable through the survivors
 * when one node is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.of(3, Map.of());
        cluster.node(0).client().createBucket(b -> b.bucket("faults"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Each test starts from a whole cluster, whatever an earlier one left behind. */
    @org.junit.jupiter.api.BeforeEach
    void everyNodeRunning() throws Exception {
        for (Node n : cluster.nodes()) {
            if (!n.isAlive()) {
                n.relaunch();
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A replicated PUT whose key and body carry a marker, with the loopback traffic captured
     * (tcpdump): the marker crosses the S3 port (plain HTTP, the client's choice) and never the
     * traffic between the nodes (the log's events and replication, the block API), which is TLS
     * (ADR 0015). Needs tcpdump and the right to capture (CI installs it and runs as root).
     */
    @Test
    @Order(-1)
    void nodeToNodeTrafficNeverCarriesAnObjectInClear(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/tcpdump")) && !Files.isExecutable(Path.of("/usr/sbin/tcpdump"))) {
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail("the capture test needs tcpdump (apt-get install tcpdump)");
            }
            org.junit.jupiter.api.Assumptions.abort("tcpdump is missing; skipping the capture of node-to-node traffic");
        }
        String marker = "BLOCKCLOSET-WIRE-MARKER-" + java.util.UUID.randomUUID();
        StringBuilder notNodeToNode = new StringBuilder("tcp");
        for (Node n : cluster.nodes()) {
            notNodeToNode.append(" and not port ").append(n.s3Port()).append(" and not port ").append(n.adminPort());
        }
        Path between = dir.resolve("between-nodes.pcap");
        Path client = dir.resolve("s3-client.pcap");
        Process nodes = capture(between, notNodeToNode.toString());
        Process s3 = capture(client, "tcp port " + cluster.node(0).s3Port());
        byte[] body = (marker + "\n").repeat(40_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            try (S3Client c = S3Asserts.noRetries(cluster.node(0))) {
                c.putObject(p -> p.bucket("faults").key("wire/" + marker), RequestBody.fromBytes(body));
            }
            // Every node has the event (its views answer) and reads the bytes: the copies and the
            // log's replication crossed the loopback meanwhile.
            for (Node n : cluster.nodes()) {
                try (S3Client c = S3Asserts.noRetries(n)) {
                    assertArrayEquals(body, c.getObjectAsBytes(g -> g.bucket("faults").key("wire/" + marker)).asByteArray());
                }
            }
        } finally {
            stop(nodes);
            stop(s3);
        }
        byte[] m = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(ItSupport.indexOf(Files.readAllBytes(client), m) >= 0, "the capture works: the marker is in the S3 client's plain HTTP");
        byte[] nodeTraffic = Files.readAllBytes(between);
        assertTrue(nodeTraffic.length > body.length, "the capture saw at least one copy between the nodes: " + nodeTraffic.length + " bytes");
        assertTrue(ItSupport.indexOf(nodeTraffic, m) < 0, "the marker crossed between the nodes in clear");
    }

    private static Process capture(Path file, String filter) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "-s", "0", "-w", file.toString(), filter)
                .redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.contains("listening on")) {
            // tcpdump says "listening on lo" once it captures
        }
        assertTrue(line != null, "tcpdump did not start capturing (installed? allowed to capture?)");
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "tcpdump-drain");
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    private static void stop(Process p) throws Exception {
        p.destroy(); // SIGTERM: tcpdump flushes and exits
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "tcpdump stopped");
    }

    @Test
    @Order(0)
    void aBucketKeepsTheCopiesItsReplicationFactorAsks() throws Exception {
        Node admin = cluster.node(0);
        cluster.node(0).client().createBucket(b -> b.bucket("two-copies"));
        assertEquals(401, AdminApi.call(admin, "GET", "/api/buckets/two-copies", null, null).path("status").asInt());
        assertEquals(3, AdminApi.get(admin, "/api/buckets/two-copies").path("copies").asInt(), "the layout's three by default");
        java.net.http.HttpResponse<String> set = AdminApi.send(admin, "PUT", "/api/buckets/two-copies/replication",
                "{\"copies\":2}", Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(2, AdminApi.get(cluster.node(1), "/api/buckets/two-copies").path("copies").asInt());
        byte[] body = random(3_500_000, 17);
        try (S3Client s3 = S3Asserts.noRetries(cluster.node(1))) {
            s3.putObject(p -> p.bucket("two-copies").key("k"), RequestBody.fromBytes(body));
            assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("two-copies").key("k")).asByteArray());
        }
        for (int off = 0; off < body.length; off += 1 << 20) {
            byte[] block = java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + (1 << 20)));
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(block));
            int holders = 0;
            for (Node n : cluster.nodes()) {
                if (Files.exists(n.dataDir().resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex))) {
                    holders++;
                }
            }
            assertEquals(2, holders, "copies of block " + hex);
        }
    }

    @Test
    @Order(1)
    void aCorruptCopyIsNeverServedAndAnotherReplicaAnswers() throws Exception {
        byte[] body = random(3_000_000, 7);
        try (S3Client s3 = S3Asserts.noRetries(cluster.node(0))) {
            s3.putObject(p -> p.bucket("faults").key("rot"), RequestBody.fromBytes(body));
        }
        // Every node holds every block (r = 3): flip a byte of each block file on the first node.
        int flipped = 0;
        for (int off = 0; off < body.length; off += 1 << 20) {
            byte[] block = java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + (1 << 20)));
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(block));
            Path f = cluster.node(0).dataDir().resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex);
            assertTrue(Files.exists(f), "the first node holds block " + hex);
            byte[] onDisk = Files.readAllBytes(f);
            onDisk[onDisk.length / 2] ^= 0x40;
            Files.write(f, onDisk);
            flipped++;
        }
        assertEquals(3, flipped);
        for (Node n : cluster.nodes()) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("faults").key("rot")).asByteArray(),
                        "through " + n.host());
            }
        }
    }

    @Test
    @Order(2)
    void killingOneNodeMidStreamLosesNothingAndStallsBriefly() throws Exception {
        Node victim = cluster.node(0);
        Node writer = cluster.node(1);
        Node reader = cluster.node(2);
        Map<String, byte[]> acknowledged = new LinkedHashMap<>();
        long killedAt = 0;
        long stallStart = 0;
        long longestStall = 0;
        long slowestRead = 0;
        int failed = 0;
        Random rnd = new Random(3);
        try (S3Client put = S3Asserts.noRetries(writer); S3Client get = S3Asserts.noRetries(reader)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
                if (i == 60) {
                    victim.kill();
                    killedAt = System.nanoTime();
                }
                String key = "stream-" + i;
                byte[] body = random(1000 + rnd.nextInt(300_000), i);
                // The stall: from the first write attempt after the kill (or after a failed one) to the next success,
                // counting only time spent writing.
                long t0 = System.nanoTime();
                try {
                    put.putObject(p -> p.bucket("faults").key(key), RequestBody.fromBytes(body));
                    acknowledged.put(key, body);
                    if (killedAt > 0) {
                        longestStall = Math.max(longestStall, stallStart + System.nanoTime() - t0);
                    }
                    stallStart = 0;
                } catch (RuntimeException e) {
                    if (failed++ == 0) {
                        System.out.println("first failed write after the kill: " + e);
                    }
                    stallStart += System.nanoTime() - t0;
                }
                if (i % 5 == 0 && !acknowledged.isEmpty()) {
                    String k = acknowledged.keySet().iterator().next();
                    long r0 = System.nanoTime();
                    assertArrayEquals(acknowledged.get(k), get.getObjectAsBytes(g -> g.bucket("faults").key(k)).asByteArray());
                    if (killedAt > 0) {
                        slowestRead = Math.max(slowestRead, System.nanoTime() - r0);
                    }
                }
                if (killedAt > 0 && i > 160) {
                    break;
                }
            }
        }
        longestStall = Math.max(longestStall, stallStart); // failures at the very end count too
        System.out.printf("kill -9 of one of three nodes: longest write stall %d ms, slowest read %d ms, %d writes failed, "
                + "%d acknowledged%n", TimeUnit.NANOSECONDS.toMillis(longestStall), TimeUnit.NANOSECONDS.toMillis(slowestRead),
                failed, acknowledged.size());
        // The target is 5 s (aim: 3). On this 2-core machine, with three nodes and the client sharing it, the
        // stall is noticing the loss and the KRaft election (~1 s), 1.5 s until the new controller fences the
        // dead broker, and the write's and the views' retries (~0.5 s): 2.4-2.9 s (ADR 0009). Each node's log
        // shows the stages. The bound leaves room for a slow moment but not for a 5 s reverse DNS lookup on a
        // Kafka network thread.
        assertTrue(TimeUnit.NANOSECONDS.toMillis(longestStall) <= 7_500, "write stall " + longestStall / 1_000_000
                + " ms (are the test addresses 127.0.0.2-20 in /etc/hosts, as .ci/run makes them? ADR 0009)");
        assertTrue(acknowledged.keySet().stream().filter(k -> Integer.parseInt(k.substring(7)) > 60).count() >= 80,
                "the survivors kept acknowledging writes after the kill");
        for (Node n : new Node[] {writer, reader}) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("faults").key(e.getKey())).asByteArray(),
                            e.getKey() + " through " + n.host());
                }
            }
        }
        // The copies the dead node missed are on record for the repair (bounded poll: recorded off the request path).
        long recordDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long underReplicated = 0;
        while (underReplicated == 0 && System.nanoTime() < recordDeadline) {
            underReplicated = AdminApi.get(writer, "/api/cluster").path("underReplicatedBlocks").asLong();
            Thread.sleep(200);
        }
        assertTrue(underReplicated > 0, "writes that missed the dead node are recorded as under-replicated");
        victim.relaunch();
        try (S3Client s3 = S3Asserts.noRetries(victim)) {
            for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("faults").key(e.getKey())).asByteArray(),
                        e.getKey() + " through the restarted node");
            }
        }
    }

    @Test
    @Order(3)
    void aPausedNodeAcknowledgesNothingItCannotKeepAndRejoinsByItself() throws Exception {
        Node paused = cluster.node(2);
        Node writer = cluster.node(1);
        Map<String, byte[]> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        // A client of the paused node: whatever it acknowledges after the pause must be kept.
        java.util.concurrent.atomic.AtomicBoolean pausedPhase = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread stuck = new Thread(() -> {
            try (S3Client s3 = S3Asserts.noRetries(paused)) {
                for (int i = 0; i < 5 && pausedPhase.get(); i++) {
                    byte[] body = random(50_000, 1000 + i);
                    String key = "via-paused-" + i;
                    try {
                        s3.putObject(p -> p.bucket("faults").key(key), RequestBody.fromBytes(body));
                        acknowledged.put(key, body);
                    } catch (RuntimeException e) {
                        // not acknowledged: nothing to keep
                    }
                }
            }
        }, "paused-node-client");
        paused.signal("STOP");
        long stoppedAt = System.nanoTime();
        stuck.start();
        boolean sawSuspect = false;
        long longestStall = 0;
        long lastAck = stoppedAt;
        try (S3Client s3 = S3Asserts.noRetries(writer)) {
            for (int i = 0; System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(30); i++) {
                byte[] body = random(1000 + i * 997 % 200_000, 2000 + i);
                String key = "during-pause-" + i;
                try {
                    s3.putObject(p -> p.bucket("faults").key(key), RequestBody.fromBytes(body));
                    acknowledged.put(key, body);
                    longestStall = Math.max(longestStall, System.nanoTime() - lastAck);
                    lastAck = System.nanoTime();
                } catch (RuntimeException e) {
                    // a failed write is not acknowledged
                }
                if (!sawSuspect && i % 10 == 0) {
                    var nodes = AdminApi.get(writer, "/api/cluster").path("nodes");
                    for (var n : nodes) {
                        if (n.path("address").asText().equals(paused.host())) {
                            sawSuspect = !n.path("state").asText().equals("up");
                        }
                    }
                }
            }
        } finally {
            paused.signal("CONT");
        }
        longestStall = Math.max(longestStall, System.nanoTime() - lastAck); // none acknowledged at the end counts too
        pausedPhase.set(false);
        stuck.join(TimeUnit.MINUTES.toMillis(2));
        System.out.printf("SIGSTOP of one of three nodes: longest write stall %d ms%n", TimeUnit.NANOSECONDS.toMillis(longestStall));
        // Like a kill: the paused broker is fenced after its session, the quorum re-elects if it led.
        // Copies to it are not waited for once one has gone unanswered for a second.
        assertTrue(TimeUnit.NANOSECONDS.toMillis(longestStall) <= 7_500, "write stall while a node was paused: "
                + TimeUnit.NANOSECONDS.toMillis(longestStall) + " ms");
        assertTrue(sawSuspect, "the other nodes saw the paused node as suspect or down");
        assertTrue(acknowledged.keySet().stream().filter(k -> k.startsWith("during-pause-")).count() >= 50,
                "the others kept acknowledging writes while one node was paused");
        paused.awaitHealthy();
        // It rejoins by itself: the others see it up again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean up = false;
        while (!up && System.nanoTime() < deadline) {
            for (var n : AdminApi.get(writer, "/api/cluster").path("nodes")) {
                if (n.path("address").asText().equals(paused.host())) {
                    up = n.path("state").asText().equals("up");
                }
            }
            Thread.sleep(200);
        }
        assertTrue(up, "the paused node is up again");
        System.out.printf("SIGSTOP 30 s: %d writes acknowledged meanwhile; all readable afterwards%n", acknowledged.size());
        for (Node n : cluster.nodes()) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("faults").key(e.getKey())).asByteArray(),
                            e.getKey() + " through " + n.host());
                }
            }
        }
    }

    @Test
    @Order(4)
    void aPowerOutageKillsAllThreeAndTheyComeBackInAnotherOrder() throws Exception {
        Map<String, byte[]> acknowledged = new LinkedHashMap<>();
        try (S3Client s3 = S3Asserts.noRetries(cluster.node(0))) {
            for (int i = 0; i < 40; i++) {
                byte[] body = random(1000 + i * 7919 % 500_000, 3000 + i);
                String key = "before-outage-" + i;
                s3.putObject(p -> p.bucket("faults").key(key), RequestBody.fromBytes(body));
                acknowledged.put(key, body);
            }
        }
        for (Node n : cluster.nodes()) {
            n.kill();
        }
        // Back one by one, in another order; no node is healthy until a majority of the quorum is back.
        for (int i : new int[] {2, 0, 1}) {
            cluster.node(i).launchAsync();
        }
        for (Node n : cluster.nodes()) {
            n.awaitHealthy();
        }
        for (Node n : cluster.nodes()) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("faults").key(e.getKey())).asByteArray(),
                            e.getKey() + " through " + n.host());
                }
                s3.putObject(p -> p.bucket("faults").key("after-outage-" + n.host()), RequestBody.fromString("ok"));
            }
        }
    }
}
