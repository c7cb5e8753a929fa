package org.blockcloset.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a workload closed-loop: {@code concurrency} threads take the next object index until
 * {@code count} are done. Throughput is successful operations over the wall time from the common
 * start to the last thread's finish.
 */
final class Runner {
    /** Object ids are unique across the whole run, so no two objects share a page (see {@link Payload}). */
    private static final AtomicInteger NEXT_ID_BASE = new AtomicInteger();

    private Runner() {
    }

    static Result run(Target target, Workload w) throws InterruptedException {
        long idBase = (long) NEXT_ID_BASE.getAndAdd(w.count()) + 1;
        long[] latency = new long[w.count()];
        boolean[] okFlags = new boolean[w.count()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < w.concurrency(); t++) {
            Thread thread = new Thread(() -> {
                awaitQuietly(start);
                for (int i = next.getAndIncrement(); i < w.count(); i = next.getAndIncrement()) {
                    String key = w.keyPrefix() + String.format("%06d", i);
                    long t0 = System.nanoTime();
                    try {
                        if (w.op() == Workload.Op.PUT) {
                            target.put(key, idBase + i, w.size());
                        } else {
                            target.get(key, w.size());
                        }
                        latency[i] = System.nanoTime() - t0;
                        okFlags[i] = true;
                    } catch (Exception | AssertionError e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, w.label() + " " + key + ": " + e);
                    }
                }
            }, "bench-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long wall = System.nanoTime() - t0;
        long[] okLatency = new long[w.count()];
        int ok = 0;
        for (int i = 0; i < w.count(); i++) {
            if (okFlags[i]) {
                okLatency[ok++] = latency[i];
            }
        }
        return new Result(w, ok, errors.get(), firstError.get(), wall, Arrays.copyOf(okLatency, ok));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
