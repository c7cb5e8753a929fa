package org.blockcloset.gateway.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the cluster tests check on the nodes themselves: who holds which block, and conditions reached in time. */
final class ClusterChecks {
    private ClusterChecks() {
    }

    /** Block (hex id) → the hosts whose disk holds a copy, read from the block directories. */
    static Map<String, Set<String>> holders(List<Node> nodes) throws Exception {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Node n : nodes) {
            for (Path f : blockFiles(n)) {
                out.computeIfAbsent(f.getFileName().toString(), h -> new TreeSet<>()).add(n.host());
            }
        }
        return out;
    }

    /** The block files on a node's disk, in name order. */
    static List<Path> blockFiles(Node n) throws Exception {
        Path blocks = n.dataDir().resolve("blocks");
        if (!Files.isDirectory(blocks)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(blocks)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).sorted().toList();
        }
    }

    /**
     * Whether every node's disk matches the current layout, as the nodes report it (ADR 0011): each
     * finished a repair pass at the current layout version with nothing left to copy and no surplus
     * copy left to drop. Counting copies is not enough: while a new holder has not pulled a block,
     * its old holders keep it, so the count looks right before the data has moved.
     */
    static boolean settled(Node ask) throws Exception {
        com.fasterxml.jackson.databind.JsonNode c = AdminApi.get(ask, "/api/cluster");
        long version = c.path("layout").path("version").asLong();
        for (com.fasterxml.jackson.databind.JsonNode n : c.path("nodes")) {
            com.fasterxml.jackson.databind.JsonNode r = n.path("repair");
            if (!"up".equals(n.path("state").asText()) || r.path("layoutVersion").asLong() != version
                    || r.path("passFinished").isNull() || r.path("passFinished").isMissingNode()
                    || r.path("blocksLeft").asLong() != 0 || r.path("surplusLeft").asLong() != 0) {
                return false;
            }
        }
        return c.path("underReplicatedBlocks").asLong() == 0 && c.path("lostBlocks").asLong() == 0;
    }

    /** A readiness condition, polled. */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls the condition every 250 ms until it holds; fails after {@code timeout} with the last error seen. */
    static void until(String what, Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError(what + ": not within " + timeout + (last == null ? "" : "; last error " + last));
    }
}
