package org.blockcloset.ledger;

import org.blockcloset.ledger.kafka.KafkaLedger;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.model.Rejection;
import static org.blockcloset.ledger.LedgerHarness.T0;
import static org.blockcloset.ledger.LedgerHarness.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.event.MultipartUploadCreated;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;
import org.blockcloset.ledger.view.Views;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Ledger facade against a real embedded broker: read-after-write, rejections, concurrency, restart. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LedgerTest {
    @TempDir
    static Path dir;
    static LedgerHarness h;

    @BeforeAll
    static void setUp() throws Exception {
        h = LedgerHarness.start(dir);
        assertTrue(h.ledger().ready());
        assertTrue(h.ledger().viewsRunning());
    }

    @AfterAll
    static void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private static Views views() {
        return h.ledger().views();
    }

    @Test
    void readAfterWrite() throws Exception {
        h.append(new BucketCreated("raw", T0));
        long[] nanos = new long[200];
        for (int i = 0; i < 200; i++) {
            ObjectVersion v = object("raw", "k", "v" + i, "raw-" + i);
            long t0 = System.nanoTime();
            h.ledger().append("tester", "req-" + i, new ObjectPut(v));
            nanos[i] = System.nanoTime() - t0;
            Optional<ObjectVersion> seen = views().object("raw", "k");
            assertEquals(Optional.of(v.etag()), seen.map(ObjectVersion::etag), "append " + i);
            assertEquals(1, views().references(TestBlocks.id("raw-" + i)), "append " + i);
            if (i > 0) {
                assertEquals(0, views().references(TestBlocks.id("raw-" + (i - 1))), "append " + i + " released the previous version");
            }
        }
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        System.out.printf("[timing] append (ObjectPut, sequential) p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                sorted[100] / 1e6, sorted[180] / 1e6, sorted[198] / 1e6, sorted[199] / 1e6);
    }

    /**
     * Each record carries the time the log appended it, whatever time its producer put on it: a
     * member appending straight to the log with a clock of its choosing is judged by the log's clock
     * too (ADR 0004), and nothing is refused for it.
     */
    @Test
    void theLogStampsEachEventWithTheTimeItAppendedIt() throws Exception {
        Instant now = Instant.now();
        LoggedEvent forged = new LoggedEvent(LoggedEvent.CURRENT_VERSION, "forged", "tester", "req-forged", now.plus(Duration.ofDays(30)),
                new BucketCreated("forged", now), null);
        Map<String, Object> config = new java.util.HashMap<>(h.connection().clientConfig());
        long offset;
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(config,
                new org.apache.kafka.common.serialization.StringSerializer(), Json.serde(LoggedEvent.class).serializer())) {
            offset = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(KafkaLedger.EVENTS_TOPIC, 0,
                    forged.time().toEpochMilli(), forged.event().entityKey(), forged)).get(30, TimeUnit.SECONDS).offset();
        }
        List<EventLog.Entry> read = new java.util.ArrayList<>();
        try (EventLog log = h.ledger().openEventLog()) {
            log.forEach(offset, offset + 1, read::add);
        }
        assertEquals(1, read.size());
        Instant appended = read.get(0).appended();
        assertTrue(Duration.between(now, appended).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "the log's time, not the producer's: " + appended);
        assertEquals(Optional.empty(), h.ledger().progress().whenApplied(0, offset).get(30, TimeUnit.SECONDS));
    }

    @Test
    void rejectionsSurfaceAsRejectedExceptionAndChangeNothing() throws Exception {
        h.append(new BucketCreated("rej", T0));
        RejectedException dup = assertThrows(RejectedException.class, () -> h.append(new BucketCreated("rej", T0)));
        assertEquals(Rejection.BUCKET_EXISTS, dup.rejection());

        RejectedException missing = assertThrows(RejectedException.class,
                () -> h.append(new ObjectPut(object("rej-missing", "k", "v1", "rej-blk"))));
        assertEquals(Rejection.NO_SUCH_BUCKET, missing.rejection());
        assertEquals(Optional.empty(), views().object("rej-missing", "k"));
        assertEquals(0, views().references(TestBlocks.id("rej-blk")));

        // the ledger keeps going after a rejection
        Ledger.Appended ok = h.append(new ObjectPut(object("rej", "k", "v1", "rej-blk")));
        assertEquals(Optional.of("v1"), views().object("rej", "k").map(ObjectVersion::versionId));
        assertTrue(h.ledger().progress().appliedOffset(ok.partition()) >= ok.offset());
    }

    @Test
    void concurrentWritersToOneKeyEndWithTheLastInLogOrder() throws Exception {
        h.append(new BucketCreated("conc", T0));
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Ledger.Appended> all = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < perThread; i++) {
                        String v = "t" + thread + "-" + i;
                        all.add(h.append(new ObjectPut(object("conc", "hot", v, "conc-" + v))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("[timing] %d concurrent appends (%d threads): %d ms, %.0f appends/s%n",
                threads * perThread, threads, ms, threads * perThread * 1000.0 / Math.max(1, ms));

        assertEquals(threads * perThread, all.size());
        Set<Long> offsets = new HashSet<>();
        all.forEach(a -> assertTrue(offsets.add(a.offset()), "offset " + a.offset() + " returned twice"));
        Ledger.Appended last = all.stream().max((a, b) -> Long.compare(a.offset(), b.offset())).orElseThrow();
        ObjectVersion winner = ((ObjectPut) last.event().event()).object();

        assertEquals(Optional.of(winner), views().object("conc", "hot"));
        for (Ledger.Appended a : all) {
            ObjectVersion o = ((ObjectPut) a.event().event()).object();
            var block = o.blocks().get(0).id();
            assertEquals(o == winner ? 1 : 0, views().references(block), block.hex());
        }
    }

    @Test
    void restartBringsBackViewsAndReferenceCounts() throws Exception {
        String b = "rs";
        h.append(new BucketCreated(b, T0));
        h.append(new ObjectPut(object(b, "k1", "v1", "rs-shared", "rs-a")));
        h.append(new ObjectPut(object(b, "k2", "v1", "rs-shared", "rs-shared")));
        h.append(new ObjectPut(object(b, "k1", "v2", "rs-shared", "rs-b")));
        h.append(new MultipartUploadCreated(new Upload(b, "big", "rs-u1", T0, "tester", Map.of(), Map.of(), null, null)));
        h.append(new PartUploaded(b, "big", "rs-u1",
                new Part(1, 1024, "\"p1\"", T0, null, List.of(new BlockRef(TestBlocks.id("rs-part"), 1024)))));
        h.append(new AccessKeyCreated("RSKEY", "s3cr3t", "restart", false, T0, null));
        Map<String, Long> refsBefore = refs("rs-shared", "rs-a", "rs-b", "rs-part");
        assertEquals(Map.of("rs-shared", 3L, "rs-a", 0L, "rs-b", 1L, "rs-part", 1L), refsBefore);
        long appliedBefore = h.ledger().progress().appliedOffset(0);

        // 1. same state directory: local stores are reused
        h.restart();
        assertRestored(b, refsBefore, appliedBefore);
        System.out.printf("[timing] Ledger.start after restart (local state kept): %d ms%n", h.lastLedgerStartMillis());
        // A member that did not leave the group holds the partition until its session times out (45 s).
        assertTrue(h.lastLedgerStartMillis() < 30_000, "restart took " + h.lastLedgerStartMillis() + " ms");

        // 2. state directory lost: the stores are rebuilt from their changelogs
        h.restart(() -> deleteRecursively(dir.resolve("streams")));
        assertRestored(b, refsBefore, appliedBefore);
        System.out.printf("[timing] Ledger.start after restart (state dir wiped): %d ms%n", h.lastLedgerStartMillis());

        // the restored counts are the base later events build on
        h.append(new ObjectPut(object(b, "k2", "v2", "rs-c")));
        assertEquals(Map.of("rs-shared", 1L, "rs-a", 0L, "rs-b", 1L, "rs-part", 1L), refs("rs-shared", "rs-a", "rs-b", "rs-part"));
        assertEquals(1, views().references(TestBlocks.id("rs-c")));
        RejectedException dup = assertThrows(RejectedException.class, () -> h.append(new BucketCreated(b, T0)));
        assertEquals(Rejection.BUCKET_EXISTS, dup.rejection());
    }

    @Test
    void failedStartLeavesNoThreadsBehind() throws Exception {
        Set<Thread> before = clientThreads();
        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class, () -> KafkaLedger.start(
                new KafkaLedger.Settings(h.connection(), KafkaLedger.APPLICATION_ID, dir.resolve("streams-failed-start"), (short) 1,
                        java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(1))));
        assertTrue(e.getMessage().contains("views did not start"), e.getMessage());
        Set<Thread> leaked = new HashSet<>(clientThreads());
        leaked.removeAll(before);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (leaked.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), leaked.stream().filter(Thread::isAlive).map(Thread::getName).toList());

        // the running ledger shares the consumer group with the failed one and keeps working
        h.append(new BucketCreated("after-failed-start", T0));
        assertTrue(views().bucket("after-failed-start").isPresent());
    }

    private static Set<Thread> clientThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("StreamThread") || t.getName().contains("kafka-producer-network-thread")) {
                out.add(t);
            }
        }
        return out;
    }

    private static void assertRestored(String b, Map<String, Long> refsBefore, long appliedBefore) {
        assertTrue(h.ledger().ready(), "ready after restart");
        assertTrue(h.ledger().progress().appliedOffset(0) >= appliedBefore,
                "progress knows the log was applied up to " + appliedBefore);
        assertEquals(Optional.of("v2"), views().object(b, "k1").map(ObjectVersion::versionId));
        assertEquals(Optional.of("v1"), views().object(b, "k2").map(ObjectVersion::versionId));
        assertEquals(refsBefore, refs("rs-shared", "rs-a", "rs-b", "rs-part"));
        assertTrue(views().upload(b, "big", "rs-u1").isPresent());
        assertEquals(1, views().parts("rs-u1", 0, 10).size());
        assertEquals(Optional.of("s3cr3t"), views().accessKey("RSKEY").map(k -> k.sealedSecret()));
        assertFalse(views().bucketIsEmpty(b));
    }

    private static Map<String, Long> refs(String... ids) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String id : ids) {
            out.put(id, views().references(TestBlocks.id(id)));
        }
        return out;
    }

    private static void deleteRecursively(Path p) {
        try (var s = java.nio.file.Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
