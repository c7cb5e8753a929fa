package org.blockcloset.gateway.auth;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/**
 * The node-wide budget for signed aws-chunked chunks, which are held whole until their signature is
 * checked: an eighth of the heap (at least one of the largest chunks; the log, the views and Jetty
 * need the rest). A request that would pass it
 * waits for others to finish their chunk, up to {@link #WAIT} seconds, then gets 503 SlowDown, so
 * many concurrent uploads (or a hostile client declaring huge chunks) cannot exhaust a small heap.
 * Accounted per request thread; the servlet returns whatever a request still holds when it ends.
 */
public final class ChunkBudget {
    static final int WAIT = 30;
    private static final int KIB = 1024;
    private static final Semaphore PERMITS = new Semaphore((int) Math.min(Integer.MAX_VALUE,
            Math.max((long) AwsChunkedInputStream.MAX_CHUNK / KIB, Runtime.getRuntime().maxMemory() / 8 / KIB)));
    private static final ThreadLocal<int[]> HELD = ThreadLocal.withInitial(() -> new int[1]);

    private ChunkBudget() {
    }

    static void acquire(int bytes) {
        int k = kib(bytes);
        try {
            if (!PERMITS.tryAcquire(k, WAIT, TimeUnit.SECONDS)) {
                throw new S3Exception(S3Error.SLOW_DOWN, "Too many uploads at once on this node; retry shortly.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3Exception(S3Error.SLOW_DOWN, "Interrupted while waiting for room for a chunk.");
        }
        HELD.get()[0] += k;
    }

    static void release(int bytes) {
        int k = Math.min(kib(bytes), HELD.get()[0]);
        HELD.get()[0] -= k;
        PERMITS.release(k);
    }

    /** Returns what the current thread's request still holds (it failed or stopped mid-chunk). */
    public static void releaseAll() {
        int[] held = HELD.get();
        if (held[0] > 0) {
            PERMITS.release(held[0]);
            held[0] = 0;
        }
    }

    /** KiB now free in the budget (for tests and metrics). */
    public static int availableKib() {
        return PERMITS.availablePermits();
    }

    private static int kib(int bytes) {
        return (bytes + KIB - 1) / KIB;
    }
}
