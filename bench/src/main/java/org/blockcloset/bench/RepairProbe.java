package org.blockcloset.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The time a cluster takes to restore full replication after losing a node (ADR 0011): three nodes
 * keeping two copies and a repair grace of 0, {@code dataBytes} written, the third node killed;
 * from the moment it is recorded as failed (after the 15 s that make it "down") until every live
 * node reports a finished repair pass at the new layout with nothing left to copy. Meanwhile a
 * client PUTs; its rate is compared with the same workload's once the repair is over.
 */
final class RepairProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param putRateAfter the same client workload once the repair finished: the same two nodes
     *                     without a repair, the baseline the rate during the repair is compared with
     *                     (before the kill three nodes shared the two cores: not comparable)
     */
    record Outcome(long bytesWritten, double failedAfterSeconds, double repairSeconds, long bytesRepaired,
                   double putRateBefore, double putRateDuring, double putRateAfter, boolean repairOutlastedWorkload) {
    }

    private RepairProbe() {
    }

    static Outcome run(LocalCluster cluster, Payload payload, long dataBytes, Workload workload) throws Exception {
        List<BlockClosetNode> nodes = cluster.nodes();
        BlockClosetNode ask = nodes.get(0);
        long written = 0;
        try (S3Target s3 = new S3Target(ask.endpoint(), BlockClosetNode.ACCESS_KEY, BlockClosetNode.SECRET_KEY, 16, payload)) {
            s3.createBucket();
            int size = 64 << 20;
            Workload fill = new Workload("repair-fill", Workload.Op.PUT, size, 4, (int) Math.max(1, dataBytes / size));
            Result r = Runner.run(s3, fill);
            if (r.errors() > 0) {
                throw new IllegalStateException("writing the data to repair failed: " + r.firstError());
            }
            written = (long) r.ok() * size;
            Result before = Runner.run(s3, workload.withPrefix("repair-before"));
            System.err.println("repair: " + (written >> 20) + " MiB written; killing " + nodes.get(2).host() + "...");
            long copiedBefore = bytesCopied(nodes.subList(0, 2));
            long killed = System.nanoTime();
            nodes.get(2).jvm().kill();
            awaitFailed(ask, nodes.get(2).host(), Duration.ofMinutes(2));
            long failed = System.nanoTime();
            Result during = Runner.run(s3, workload.withPrefix("repair-during"));
            boolean outlasted = !settled(ask);
            long done = awaitSettled(ask, Duration.ofMinutes(30));
            long repaired = bytesCopied(nodes.subList(0, 2)) - copiedBefore;
            Result after = Runner.run(s3, workload.withPrefix("repair-after"));
            return new Outcome(written, (failed - killed) / 1e9, (done - failed) / 1e9, repaired,
                    before.objectsPerSecond(), during.objectsPerSecond(), after.objectsPerSecond(), outlasted);
        }
    }

    private static void awaitFailed(BlockClosetNode ask, String host, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode n : cluster(ask).path("nodes")) {
                if (n.path("address").asText().equals(host) && n.has("failedSince")) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException(host + " was not recorded as failed within " + timeout);
    }

    /** Polls until every node reports a finished pass at the current layout with nothing left; returns when (nanoTime). */
    private static long awaitSettled(BlockClosetNode ask, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (settled(ask)) {
                return System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("replication not restored within " + timeout);
    }

    private static boolean settled(BlockClosetNode ask) throws IOException, InterruptedException {
        JsonNode c = cluster(ask);
        long version = c.path("layout").path("version").asLong();
        for (JsonNode n : c.path("nodes")) {
            if (n.has("failedSince")) {
                continue;
            }
            JsonNode r = n.path("repair");
            if (r.path("layoutVersion").asLong() != version || r.path("passFinished").isNull()
                    || r.path("passFinished").isMissingNode() || r.path("blocksLeft").asLong() != 0) {
                return false;
            }
        }
        return c.path("underReplicatedBlocks").asLong() == 0;
    }

    /** What the survivors copied since they started (each node's own /api/cluster "repair"). */
    private static long bytesCopied(List<BlockClosetNode> survivors) throws IOException, InterruptedException {
        long sum = 0;
        for (BlockClosetNode n : survivors) {
            sum += cluster(n).path("repair").path("totalBytesCopied").asLong();
        }
        return sum;
    }

    private static JsonNode cluster(BlockClosetNode node) throws IOException, InterruptedException {
        HttpResponse<String> r = node.admin("GET", "/api/cluster");
        if (r.statusCode() != 200) {
            throw new IOException("/api/cluster: HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
