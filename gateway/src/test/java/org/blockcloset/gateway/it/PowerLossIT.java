package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.ItSupport.random;
import static org.blockcloset.gateway.it.ItSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A power cut, not only a kill: the node's data directory lives on a FUSE filesystem
 * ({@link PowerCutFs}) that holds every write in memory until it is
 * fsync'd, so killing it loses exactly what a machine losing power would lose; the page cache
 * does not save anything here. New PUTs, overwrites, deletes and multipart completes are in flight
 * at the cut. After remounting and relaunching, every acknowledged operation holds, and each key
 * with an operation in flight shows either its state before that operation or after it, whole.
 */
class PowerLossIT {
    private static final String DELETED = "deleted";
    private static final int ACKS_IN_FLIGHT_PHASE = 30;

    @TempDir
    static Path dir;
    static Node node;
    static PowerCutFs fs;

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.kill();
        }
        if (fs != null) {
            fs.close();
        }
    }

    private static Path mnt() {
        return fs.mnt();
    }

    /** The cut: the node dies, then the filesystem's memory (every unsynced byte) with it. */
    private static void powerCut() throws Exception {
        node.kill();
        fs.cut();
    }

    private static String stateOf(S3Client s3, String key) {
        try {
            return sha256(s3.getObjectAsBytes(g -> g.bucket("power").key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return DELETED;
        }
    }

    /** Runs one writer's operations until told to stop; records each key's acknowledged and in-flight state. */
    private static Thread writer(String name, S3Client s3, AtomicBoolean cut, Map<String, String> acked, Map<String, String> inFlight,
                                 AtomicInteger acks, CountDownLatch enough, CountDownLatch done, List<Throwable> errors,
                                 java.util.function.IntFunction<String[]> op) {
        Thread t = new Thread(() -> {
            try {
                for (int n = 0; !cut.get(); n++) {
                    String[] keyAndState = op.apply(n); // performs the operation; [key, state] after it
                    if (keyAndState == null) {
                        return;
                    }
                    acked.put(keyAndState[0], keyAndState[1]);
                    inFlight.remove(keyAndState[0]);
                    if (acks.incrementAndGet() >= ACKS_IN_FLIGHT_PHASE) {
                        enough.countDown();
                    }
                }
            } catch (RuntimeException e) {
                if (!cut.get()) {
                    errors.add(e);
                }
            } finally {
                done.countDown();
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    @Test
    void acknowledgedWritesOverwritesDeletesAndCompletesSurviveAPowerCut() throws Exception {
        PowerCutFs.assumeAvailable();
        fs = new PowerCutFs(dir);
        fs.mount();
        node = Node.start(mnt().resolve("node"), Map.of("BLOCKCLOSET_BLOCK_SIZE", "64KiB", "BLOCKCLOSET_GC_GRACE", "1 hour"));
        Map<String, String> acked = new ConcurrentHashMap<>();
        Map<String, String> inFlight = new ConcurrentHashMap<>();
        Random rnd = new Random(42);
        try (S3Client s3 = ItSupport.clientWithoutRetries(node)) {
            // Acknowledged before the cut: puts, overwrites, deletes, a multipart complete.
            s3.createBucket(b -> b.bucket("power"));
            for (int i = 0; i < 20; i++) {
                byte[] data = random(rnd, 1 + rnd.nextInt(150_000));
                String key = "k" + i;
                s3.putObject(p -> p.bucket("power").key(key), RequestBody.fromBytes(data));
                acked.put(key, sha256(data));
            }
            for (int i = 0; i < 5; i++) {
                byte[] data = random(rnd, 1 + rnd.nextInt(150_000));
                String key = "k" + i;
                s3.putObject(p -> p.bucket("power").key(key), RequestBody.fromBytes(data));
                acked.put(key, sha256(data));
            }
            for (int i = 5; i < 10; i++) {
                String key = "k" + i;
                s3.deleteObject(d -> d.bucket("power").key(key));
                acked.put(key, DELETED);
            }
            acked.put("mp/acked", completeMultipart(s3, "mp/acked", random(rnd, 200_000)));

            // In flight at the cut: four writers, each owning its keys, so a key has at most one
            // operation unacknowledged when the power goes.
            AtomicBoolean cut = new AtomicBoolean();
            AtomicInteger acks = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(4);
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            List<Thread> writers = List.of(
                    writer("new", s3, cut, acked, inFlight, acks, enough, done, errors, n -> {
                        String key = "new/" + n;
                        byte[] data = random(new Random(n), 1 + new Random(n).nextInt(150_000));
                        inFlight.put(key, sha256(data));
                        s3.putObject(p -> p.bucket("power").key(key), RequestBody.fromBytes(data));
                        return new String[] {key, sha256(data)};
                    }),
                    writer("overwrite", s3, cut, acked, inFlight, acks, enough, done, errors, n -> {
                        String key = "k" + (10 + n % 10);
                        byte[] data = random(new Random(1000 + n), 1 + new Random(1000 + n).nextInt(150_000));
                        inFlight.put(key, sha256(data));
                        s3.putObject(p -> p.bucket("power").key(key), RequestBody.fromBytes(data));
                        return new String[] {key, sha256(data)};
                    }),
                    writer("delete", s3, cut, acked, inFlight, acks, enough, done, errors, n -> {
                        String key = "k" + (n % 5);
                        if (n % 2 == 0) {
                            inFlight.put(key, DELETED);
                            s3.deleteObject(d -> d.bucket("power").key(key));
                            return new String[] {key, DELETED};
                        }
                        byte[] data = random(new Random(2000 + n), 1 + new Random(2000 + n).nextInt(100_000));
                        inFlight.put(key, sha256(data));
                        s3.putObject(p -> p.bucket("power").key(key), RequestBody.fromBytes(data));
                        return new String[] {key, sha256(data)};
                    }),
                    writer("multipart", s3, cut, acked, inFlight, acks, enough, done, errors, n -> {
                        String key = "mp/" + n;
                        byte[] data = random(new Random(3000 + n), 100_000 + new Random(3000 + n).nextInt(100_000));
                        inFlight.put(key, sha256(data));
                        return new String[] {key, completeMultipart(s3, key, data)};
                    }));
            writers.forEach(Thread::start);
            assertTrue(enough.await(300, TimeUnit.SECONDS), "writers acknowledged only " + acks.get() + " operations");
            cut.set(true);
            powerCut();
            assertTrue(done.await(120, TimeUnit.SECONDS), "writers did not notice the power cut");
            assertEquals(List.of(), errors, "operations failed before the power cut");
        }

        fs.mount();
        // The views' process id survived the cut: under it the restarted views abort the crashed run's open
        // transaction at once, instead of waiting for the coordinator to time it out (ADR 0002).
        try (java.util.stream.Stream<Path> files = Files.find(mnt().resolve("node"), 4,
                (f, a) -> f.getFileName().toString().equals("kafka-streams-process-metadata"))) {
            List<Path> ids = files.toList();
            assertFalse(ids.isEmpty(), "no views process id file under " + mnt().resolve("node"));
            for (Path f : ids) {
                assertTrue(Files.size(f) > 0, f + " was emptied by the power cut");
            }
        }
        node.relaunch();
        assertEquals(200, ItSupport.health(node).statusCode(), ItSupport.health(node).body());
        int inFlightApplied = 0;
        try (S3Client s3 = node.client()) {
            Set<String> keys = new TreeSet<>(acked.keySet());
            keys.addAll(inFlight.keySet());
            for (String key : keys) {
                String before = acked.getOrDefault(key, DELETED);
                String after = inFlight.get(key);
                String found = stateOf(s3, key);
                if (after == null) {
                    assertEquals(before, found, key + ": an acknowledged operation was lost at the power cut");
                } else {
                    assertTrue(found.equals(before) || found.equals(after), key + ": neither the state before the operation in "
                            + "flight nor the state after it (half-written?)");
                    inFlightApplied += found.equals(after) && !after.equals(before) ? 1 : 0;
                }
            }
            for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket("power")).contents()) {
                assertTrue(keys.contains(o.key()), "listed key nobody wrote: " + o.key());
                assertTrue(!stateOf(s3, o.key()).equals(DELETED), "listed but not readable: " + o.key());
            }
            System.out.printf("PowerLossIT: %d keys checked, %d operations in flight at the cut, %d of them applied%n",
                    keys.size(), inFlight.size(), inFlightApplied);
            byte[] after = random(new Random(99), 100_000);
            s3.putObject(p -> p.bucket("power").key("after-the-cut"), RequestBody.fromBytes(after));
            assertEquals(sha256(after), stateOf(s3, "after-the-cut"), "the store takes writes again");
        }
    }

    /** Uploads {@code data} as a multipart upload of one part (the last part may be small). */
    private static String completeMultipart(S3Client s3, String key, byte[] data) {
        String id = s3.createMultipartUpload(c -> c.bucket("power").key(key)).uploadId();
        String etag = s3.uploadPart(u -> u.bucket("power").key(key).uploadId(id).partNumber(1), RequestBody.fromBytes(data)).eTag();
        s3.completeMultipartUpload(c -> c.bucket("power").key(key).uploadId(id).multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
        return sha256(data);
    }
}
