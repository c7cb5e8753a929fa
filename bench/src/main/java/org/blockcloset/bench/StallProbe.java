package org.blockcloset.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The longest write stall a client sees when one node of a cluster dies: writer threads PUT small
 * objects through the surviving gateways without pause (no retries), the victim gets SIGKILL, and
 * the stall is the longest time after the kill during which no PUT was acknowledged. Bounded: the
 * writers run for {@code before} before the kill and {@code after} after it, then stop.
 */
final class StallProbe {
    /** What the probe saw: the stall after the kill, the longest gap before it (the noise floor), failures. */
    record Outcome(double stallSeconds, double quietGapSeconds, int acknowledged, int failed, String firstError) {
    }

    private static final AtomicLong NEXT_ID = new AtomicLong(2_000_000_000L);

    private StallProbe() {
    }

    static Outcome run(List<S3Target> gateways, int threadsPerGateway, int size, long beforeMillis, long afterMillis,
            ChildJvm victim) throws InterruptedException {
        List<Long> acks = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long stopAt = start + TimeUnit.MILLISECONDS.toNanos(beforeMillis + afterMillis);
        List<Thread> threads = new ArrayList<>();
        for (S3Target g : gateways) {
            for (int t = 0; t < threadsPerGateway; t++) {
                Thread thread = new Thread(() -> {
                    while (System.nanoTime() < stopAt) {
                        long id = NEXT_ID.incrementAndGet();
                        try {
                            g.put("stall/" + id, id, size);
                            acks.add(System.nanoTime());
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                        }
                    }
                }, "stall-writer");
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
        }
        Thread.sleep(beforeMillis); // the probe's schedule: writers run this long before the kill
        long killedAt = System.nanoTime();
        victim.kill();
        for (Thread t : threads) {
            // A PUT that never returns is itself the stall: stop waiting a minute after the window.
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(stopAt - System.nanoTime()) + 60_000));
        }
        long end = System.nanoTime();
        List<Long> sorted;
        synchronized (acks) {
            sorted = new ArrayList<>(acks);
        }
        Collections.sort(sorted);
        long quiet = 0;
        long stall = 0;
        long prev = sorted.isEmpty() ? killedAt : sorted.get(0);
        for (long t : sorted) {
            if (t <= killedAt) {
                quiet = Math.max(quiet, t - prev);
            } else {
                stall = Math.max(stall, t - Math.max(prev, killedAt));
            }
            prev = t;
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            stall = Math.max(stall, end - Math.max(prev, killedAt)); // still blocked: at least this long
        }
        return new Outcome(stall / 1e9, quiet / 1e9, sorted.size(), failed.get(), firstError.get());
    }
}
