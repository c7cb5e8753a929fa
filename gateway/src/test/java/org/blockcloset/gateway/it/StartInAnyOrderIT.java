package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * After a power cut the hosts boot minutes apart: a node whose log quorum is not reachable waits
 * for it as long as it takes (it used to give up after 60 s and crash-loop), says so on
 * {@code /healthcheck} (which controllers it reaches and which not) and answers S3 with 503
 * ServiceUnavailable, and serves as soon as a quorum forms.
 */
class StartInAnyOrderIT {
    /** Longer than the start's old 60 s limit. */
    private static final Duration ALONE = Duration.ofSeconds(70);
    private TestCluster cluster;

    @AfterEach
    void stopAll() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeAloneWaitsForItsQuorumAndSaysWhy() throws Exception {
        cluster = TestCluster.of(3, Map.of("BLOCKCLOSET_REPLICATION", "2"));
        Map<String, byte[]> objects = new LinkedHashMap<>();
        try (S3Client s3 = S3Asserts.noRetries(cluster.node(0))) {
            s3.createBucket(b -> b.bucket("outage"));
        }
        ClusterChecks.putRandom(cluster.node(0), "outage", new Random(3), 12, "obj-", i -> 300_000, objects);
        for (Node n : cluster.nodes()) {
            n.kill();
        }

        Node first = cluster.node(1);
        first.launchAsync();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long started = System.nanoTime();
        String said = "";
        int s3Status = 0;
        String s3Body = "";
        while (System.nanoTime() - started < ALONE.toNanos()) {
            assertTrue(first.isAlive(), "the node waits rather than exiting; see " + first.log());
            try {
                HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(first.adminUrl() + "/healthcheck"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, h.statusCode(), "not healthy without its quorum: " + h.body());
                said = h.body();
                HttpResponse<String> s3 = http.send(HttpRequest.newBuilder(first.endpoint().resolve("/outage/obj-0"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                s3Status = s3.statusCode();
                s3Body = s3.body();
            } catch (java.io.IOException notYet) {
                // the stand-in opens its ports within the first second
            }
            Thread.sleep(1000);
        }
        assertTrue(said.contains("waiting for a quorum of the log's controllers") && said.contains("cannot reach"),
                "the health check says what the node waits for: " + said);
        assertTrue(said.contains(cluster.node(0).host()) && said.contains(cluster.node(2).host()),
                "it names the controllers it cannot reach, those of nodes that joined after it too: " + said);
        assertEquals(503, s3Status, s3Body);
        assertTrue(s3Body.contains("<Code>ServiceUnavailable</Code>"), s3Body);

        cluster.node(2).launchAsync();
        cluster.node(0).launchAsync();
        for (Node n : cluster.nodes()) {
            n.awaitHealthy();
        }
        for (Node n : cluster.nodes()) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                objects.forEach((key, body) -> assertArrayEquals(body,
                        s3.getObjectAsBytes(g -> g.bucket("outage").key(key)).asByteArray(), key + " through " + n.host()));
            }
        }
    }
}
