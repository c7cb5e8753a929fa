package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.ItSupport.random;
import static org.blockcloset.gateway.it.ItSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * SIGKILL in the middle of concurrent PUTs (ADR 0002's promise): every PUT that got its 200 is
 * there and byte-identical after a relaunch, and a PUT that was in flight is either absent or
 * whole, never half-written. Blocks are 64 KiB here so most objects span several blocks, and a
 * kill can land between a request's block writes.
 */
class CrashIT {
    private static final int WRITERS = 4;
    private static final int ACKS_BEFORE_KILL = 150;
    private static final int MAX_SIZE = 300 << 10;

    @TempDir
    static Path dir;
    static Node node;

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    /** RocksDB's native library, unpacked by the views at every start and deleted only on a clean exit. */
    private static long nativeLibraries() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir.resolve("node").resolve("jvm-tmp"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("librocksdbjni")).count();
        }
    }

    @Test
    void acknowledgedPutsSurviveSigkillAndInFlightOnesAreWholeOrAbsent() throws Exception {
        node = Node.start(dir.resolve("node"), Map.of("BLOCKCLOSET_BLOCK_SIZE", "64KiB"));
        Map<String, String> acked = new ConcurrentHashMap<>();
        Map<String, String> attempted = new ConcurrentHashMap<>();
        List<Throwable> errorsBeforeKill = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ackCount = new AtomicInteger();
        CountDownLatch enoughAcks = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(WRITERS);
        AtomicInteger killed = new AtomicInteger();

        try (S3Client s3 = ItSupport.clientWithoutRetries(node)) {
            s3.createBucket(b -> b.bucket("crash"));
            for (int t = 0; t < WRITERS; t++) {
                int writer = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(writer);
                    try {
                        for (int n = 0; ; n++) {
                            String key = "w" + writer + "/" + n;
                            byte[] data = random(rnd, 1 + rnd.nextInt(MAX_SIZE));
                            String sha = sha256(data);
                            attempted.put(key, sha);
                            try {
                                s3.putObject(p -> p.bucket("crash").key(key), RequestBody.fromBytes(data));
                            } catch (RuntimeException e) {
                                if (killed.get() == 0) {
                                    errorsBeforeKill.add(e);
                                }
                                return;
                            }
                            acked.put(key, sha);
                            if (ackCount.incrementAndGet() >= ACKS_BEFORE_KILL) {
                                enoughAcks.countDown();
                            }
                        }
                    } finally {
                        writersDone.countDown();
                    }
                }, "writer-" + t);
                th.setDaemon(true);
                th.start();
            }
            assertTrue(enoughAcks.await(120, TimeUnit.SECONDS), "writers acknowledged only " + ackCount.get());
            killed.set(1);
            node.kill();
            assertTrue(writersDone.await(60, TimeUnit.SECONDS), "writers did not notice the kill");
        }
        assertEquals(List.of(), errorsBeforeKill, "PUTs failed before the kill");
        Set<String> inFlight = new TreeSet<>(attempted.keySet());
        inFlight.removeAll(acked.keySet());
        assertEquals(WRITERS, inFlight.size(), "each writer had exactly one PUT unacknowledged at the kill");

        assertEquals(1, nativeLibraries(), "the killed run unpacked its native library in the node's own tmp, not /tmp");
        node.relaunch();
        assertEquals(200, ItSupport.health(node).statusCode(), ItSupport.health(node).body());
        assertEquals(1, nativeLibraries(), "the relaunch removed what the killed run left there");
        try (S3Client s3 = node.client()) {
            for (var e : acked.entrySet()) {
                assertEquals(e.getValue(), sha256(s3.getObject(g -> g.bucket("crash").key(e.getKey()))), e.getKey());
            }
            Set<String> listed = new TreeSet<>();
            for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket("crash")).contents()) {
                listed.add(o.key());
                String want = attempted.get(o.key());
                assertNotNull(want, "listed key no writer sent: " + o.key());
                if (!acked.containsKey(o.key())) {
                    // In flight at the kill: it may be there, but then whole.
                    assertEquals(want, sha256(s3.getObject(g -> g.bucket("crash").key(o.key()))),
                            "in-flight PUT half-written: " + o.key());
                }
            }
            assertTrue(listed.containsAll(acked.keySet()), "acknowledged keys missing from the listing");
            for (String key : inFlight) {
                if (!listed.contains(key)) {
                    assertThrows(NoSuchKeyException.class, () -> s3.headObject(h -> h.bucket("crash").key(key)),
                            "GET and LIST disagree on " + key);
                }
            }
            System.out.printf("CrashIT: %d acknowledged, %d in flight at the kill, %d of those present after relaunch%n",
                    acked.size(), inFlight.size(), inFlight.stream().filter(listed::contains).count());

            byte[] after = random(new Random(99), 200_000);
            s3.putObject(p -> p.bucket("crash").key("after-crash"), RequestBody.fromBytes(after));
            assertEquals(sha256(after), sha256(s3.getObjectAsBytes(g -> g.bucket("crash").key("after-crash")).asByteArray()));
            for (String key : inFlight) {
                // A writer retrying its in-flight PUT after the crash succeeds whatever the crash left.
                byte[] retry = random(new Random(key.hashCode()), 70_000);
                s3.putObject(p -> p.bucket("crash").key(key), RequestBody.fromBytes(retry));
                assertEquals(sha256(retry), sha256(s3.getObjectAsBytes(g -> g.bucket("crash").key(key)).asByteArray()));
            }
        }
    }
}
