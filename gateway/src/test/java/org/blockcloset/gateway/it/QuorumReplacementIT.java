package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The log heals too (ADR 0011): four nodes, the first three the controller quorum's voters, the
 * fourth following as an observer. A voter's node dies and is recorded as failed (grace 0): the
 * steward takes it out of the voters and puts the fourth node in, and the log's partitions move to
 * live brokers. Then a second of the original voters dies — without the replacement two of three
 * voters would be gone and the log could elect no leader — and the store keeps taking writes and
 * serving every acknowledged object through the two nodes left.
 */
class QuorumReplacementIT {
    private static final Map<String, String> ENV = Map.of(
            "BLOCKCLOSET_REPAIR_GRACE", "0 seconds",
            "BLOCKCLOSET_REPAIR_INTERVAL", "1 second");
    private static final Duration HEAL_TIMEOUT = Duration.ofMinutes(3);
    private TestCluster cluster;

    @AfterEach
    void stopAll() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<Integer> voters(JsonNode report) {
        List<Integer> ids = new ArrayList<>();
        report.path("log").path("voters").forEach(v -> ids.add(v.asInt()));
        return ids;
    }

    @Test
    void aDeadVoterIsReplacedSoTheClusterSurvivesASecondFailure() throws Exception {
        cluster = TestCluster.of(4, ENV);
        List<Node> nodes = cluster.nodes();
        Node last = nodes.get(3);
        ClusterChecks.until("the first three nodes vote, the fourth observes", Duration.ofSeconds(60), () -> {
            JsonNode c = AdminApi.get(last, "/api/cluster");
            return voters(c).equals(List.of(1, 2, 3)) && c.path("log").path("replicasSettled").asBoolean();
        });
        try (S3Client s3 = S3Asserts.noRetries(last)) {
            s3.createBucket(b -> b.bucket("quorum"));
        }
        Map<String, byte[]> objects = new LinkedHashMap<>();
        Random rnd = new Random(17);
        ClusterChecks.putRandom(last, "quorum", rnd, 15, "before-", i -> 400_000, objects);

        nodes.get(0).kill(); // KRaft id 1: the node that created the quorum
        ClusterChecks.until("the dead voter replaced by the observer, the log's replicas on live brokers", HEAL_TIMEOUT, () -> {
            JsonNode c = AdminApi.get(last, "/api/cluster");
            return voters(c).equals(List.of(2, 3, 4)) && c.path("log").path("replicasSettled").asBoolean();
        });
        ClusterChecks.putRandom(last, "quorum", rnd, 10, "after-first-", i -> 400_000, objects);
        // The blocks the dead node held are copied again before the next failure, as they would be at home.
        try {
            ClusterChecks.until("every block back at its copies on the three left", HEAL_TIMEOUT,
                    () -> AdminApi.get(last, "/api/cluster").path("underReplicatedBlocks").asLong() == 0
                            && ClusterChecks.holders(nodes.subList(1, 4)).values().stream().allMatch(on -> on.size() == 3));
        } catch (AssertionError e) {
            Map<Integer, Long> copies = new java.util.TreeMap<>();
            ClusterChecks.holders(nodes.subList(1, 4)).values().forEach(on -> copies.merge(on.size(), 1L, Long::sum));
            throw new AssertionError(e.getMessage() + "; blocks by number of copies " + copies + "; cluster "
                    + AdminApi.get(last, "/api/cluster"), e);
        }

        nodes.get(1).kill(); // KRaft id 2: two of the three original voters are gone now
        long killed = System.nanoTime();
        long firstWrite = -1;
        int failures = 0;
        try (S3Client s3 = S3Asserts.noRetries(last)) {
            // Bounded: the first write after the kill waits for the log to move its leaders; then every write succeeds.
            for (int i = 0; i < 200 && firstWrite < 0 && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(90); i++) {
                byte[] body = new byte[50_000];
                rnd.nextBytes(body);
                try {
                    s3.putObject(p -> p.bucket("quorum").key("after-second"), RequestBody.fromBytes(body));
                    objects.put("after-second", body);
                    firstWrite = System.nanoTime() - killed;
                } catch (RuntimeException e) {
                    failures++;
                    TimeUnit.MILLISECONDS.sleep(250);
                }
            }
        }
        assertTrue(firstWrite >= 0, "no write succeeded within 90 s of losing a second original voter (" + failures + " failed)");
        System.out.printf("QuorumReplacementIT: first write %d ms after the second kill (%d failed before)%n",
                TimeUnit.NANOSECONDS.toMillis(firstWrite), failures);
        ClusterChecks.putRandom(last, "quorum", rnd, 10, "after-second-", i -> 400_000, objects);
        ClusterChecks.assertAllReadable(List.of(nodes.get(2), last), "quorum", objects);
        JsonNode c = AdminApi.get(last, "/api/cluster");
        assertEquals(List.of(3, 4), voters(c).stream().filter(v -> v >= 3).toList(), c::toString);
    }
}
