package org.blockcloset.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How long a single node takes to serve again (issue 17: ≤ 10 s) after a clean stop and after a
 * kill -9 under write load, holding {@code objects} objects: from the launch of the new process to
 * its health check's 200 (the views restored, the ports open) and then to a GET of an object written
 * before and a new PUT both answered. The clean restart is the baseline in the same run. The node runs
 * through the launcher script, as installed nodes do: the clean stop leaves its class archive (ADR 0017),
 * which both restarts map.
 */
final class RecoveryProbe {

    /** Seconds from launch to healthy and to serving, after a clean stop and after kill -9. */
    record Outcome(int objects, double fillSeconds, double cleanHealthy, double cleanServing, double crashHealthy,
                   double crashServing, int putsAcknowledgedBeforeKill) {
    }

    private static final int SIZE = 1 << 10;
    private static final int FILL_CONCURRENCY = 32;
    private static final long LOAD_BEFORE_KILL_MILLIS = 3_000;

    private RecoveryProbe() {
    }

    static Outcome run(Path jar, Path dataDir, Path log, int objects, Payload payload) throws Exception {
        BlockClosetNode node = BlockClosetNode.startAsLaunchersDo(jar, dataDir, log);
        try {
            Workload fill = new Workload("recovery-fill", Workload.Op.PUT, SIZE, FILL_CONCURRENCY, objects);
            Result filled;
            try (S3Target s3 = target(node, payload)) {
                s3.createBucket();
                System.err.printf("recovery: writing %d objects of 1 KiB...%n", objects);
                filled = Runner.run(s3, fill);
                if (filled.errors() > 0) {
                    throw new IllegalStateException("filling the node failed: " + filled.firstError());
                }
            }
            String written = fill.keyPrefix() + String.format("%06d", objects - 1);

            System.err.println("recovery: clean stop (SIGTERM), then start...");
            node.close();
            long launched = System.nanoTime();
            node = node.relaunch();
            double cleanHealthy = since(launched);
            serve(node, payload, written, "after-clean");
            double cleanServing = since(launched);

            System.err.println("recovery: kill -9 under write load, then start...");
            int acked = killUnderLoad(node, payload);
            launched = System.nanoTime();
            node = node.relaunch();
            double crashHealthy = since(launched);
            serve(node, payload, written, "after-crash");
            double crashServing = since(launched);
            return new Outcome(objects, filled.wallNanos() / 1e9, cleanHealthy, cleanServing, crashHealthy, crashServing, acked);
        } finally {
            node.close();
        }
    }

    /** Four writers PUT 1 KiB objects for a few seconds, then SIGKILL; each writer stops at its first failure. */
    private static int killUnderLoad(BlockClosetNode node, Payload payload) throws Exception {
        java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> writers = new java.util.ArrayList<>();
        try (S3Target s3 = target(node, payload)) {
            for (int t = 0; t < 4; t++) {
                int w = t;
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < 1_000_000; i++) {
                            s3.put("recovery-load/" + w + "/" + i, 1_000_000_000L + w * 1_000_000L + i, SIZE);
                            acked.incrementAndGet();
                        }
                    } catch (RuntimeException killed) {
                        // the node is gone
                    }
                }, "recovery-load-" + t);
                th.setDaemon(true);
                th.start();
                writers.add(th);
            }
            Thread.sleep(LOAD_BEFORE_KILL_MILLIS);
            node.jvm().kill();
            for (Thread th : writers) {
                th.join(TimeUnit.MINUTES.toMillis(1));
            }
        }
        return acked.get();
    }

    private static S3Target target(BlockClosetNode node, Payload payload) {
        return new S3Target(node.endpoint(), BlockClosetNode.ACCESS_KEY, BlockClosetNode.SECRET_KEY, 64, payload);
    }

    /** A GET of an object written before the restart and a new PUT, both answered. */
    private static void serve(BlockClosetNode node, Payload payload, String written, String key) throws Exception {
        try (S3Target s3 = target(node, payload)) {
            s3.get(written, SIZE);
            s3.put("recovery/" + key, 7, SIZE);
        }
    }

    private static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }
}
