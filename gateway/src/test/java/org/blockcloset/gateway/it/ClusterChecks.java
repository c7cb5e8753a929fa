package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

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

    /**
     * PUTs {@code count} random objects through {@code node} (no retries), key {@code prefix + i},
     * size 1 to {@code maxSize(i)} bytes, and records each acknowledged one in {@code objects}.
     */
    static void putRandom(Node node, String bucket, Random rnd, int count, String prefix,
            java.util.function.IntUnaryOperator maxSize, Map<String, byte[]> objects) {
        try (S3Client s3 = S3Asserts.noRetries(node)) {
            for (int i = 0; i < count; i++) {
                byte[] body = new byte[1 + rnd.nextInt(maxSize.applyAsInt(i))];
                rnd.nextBytes(body);
                String key = prefix + i;
                s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(body));
                objects.put(key, body);
            }
        }
    }

    /** Every object reads back byte-identical through every one of {@code gateways}. */
    static void assertAllReadable(List<Node> gateways, String bucket, Map<String, byte[]> objects) {
        for (Node n : gateways) {
            try (S3Client s3 = S3Asserts.noRetries(n)) {
                objects.forEach((key, body) -> assertArrayEquals(body,
                        s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray(), key + " through " + n.host()));
            }
        }
    }

    /**
     * A client writing random objects through one node in the background (no retries, at most
     * {@code count}) until {@link #stop}: acknowledged objects go into the shared map, failures are
     * collected rather than hidden.
     */
    static final class BackgroundWriter {
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;

        BackgroundWriter(Node node, String bucket, long seed, int count, int maxSize, String prefix, Map<String, byte[]> objects) {
            thread = new Thread(() -> {
                Random r = new Random(seed);
                try (S3Client s3 = S3Asserts.noRetries(node)) {
                    for (int i = 0; i < count && writing.get(); i++) {
                        byte[] body = new byte[1 + r.nextInt(maxSize)];
                        r.nextBytes(body);
                        String key = prefix + i;
                        try {
                            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(body));
                            objects.put(key, body);
                        } catch (RuntimeException e) {
                            failures.add(key + ": " + e);
                        }
                    }
                }
            }, "background-writer");
            thread.start();
        }

        /** Stops writing (waits up to two minutes for the request in flight) and returns the failed writes. */
        List<String> stop() throws InterruptedException {
            writing.set(false);
            thread.join(TimeUnit.MINUTES.toMillis(2));
            return List.copyOf(failures);
        }
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
