package org.blockcloset.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.blockcloset.ledger.trace.Trace;

/**
 * The node's recent S3 requests, in memory: the last {@link #TAIL} of all (the live tail) and the
 * last {@link #SLOW} that took at least the slow-request threshold, each with its per-stage timings.
 * Node-local and meant for a person looking now; nothing here survives a restart.
 */
public final class RequestLog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestLog.class);
    static final int TAIL = 200;
    static final int SLOW = 100;
    private final long slowMicros;
    private final Deque<Entry> tail = new ArrayDeque<>();
    private final Deque<Entry> slow = new ArrayDeque<>();
    private long seen;
    private long intervalRequests;
    private long intervalClientErrors;
    private long intervalServerErrors;
    private final long[] intervalMicros = new long[4096];
    private int intervalSampled;

    public RequestLog(Duration slowThreshold) {
        this.slowMicros = slowThreshold.toNanos() / 1000;
    }

    /**
     * One request as it ended.
     *
     * @param what method and path (the path cut at 200 characters)
     */
    public record Entry(long seq, Instant at, String requestId, String operation, String what, int status, long micros,
                        String client, List<Trace.Stage> stages) {
        public double millis() {
            return micros / 1000.0;
        }
    }

    public synchronized void record(String requestId, String operation, String method, String path, int status, long micros,
                                    String client, List<Trace.Stage> stages) {
        String what = method + " " + (path.length() > 200 ? path.substring(0, 200) + "…" : path);
        Entry e = new Entry(++seen, Instant.now(), requestId, operation, what, status, micros, client, stages);
        intervalRequests++;
        if (status >= 500) {
            intervalServerErrors++;
        } else if (status >= 400) {
            intervalClientErrors++;
        }
        // Latencies of the interval: every one up to the array's size, then a uniform sample (reservoir).
        if (intervalSampled < intervalMicros.length) {
            intervalMicros[intervalSampled++] = micros;
        } else {
            long slot = java.util.concurrent.ThreadLocalRandom.current().nextLong(intervalRequests);
            if (slot < intervalMicros.length) {
                intervalMicros[(int) slot] = micros;
            }
        }
        tail.addFirst(e);
        if (tail.size() > TAIL) {
            tail.removeLast();
        }
        if (micros >= slowMicros) {
            // In the node's log too: the console keeps only the last few, and a stall is read afterwards.
            LOG.info("Slow request {} {} {} {} ms: {}", requestId, what, status, micros / 1000,
                    stages.stream().map(Trace.Stage::toString).collect(java.util.stream.Collectors.joining(", ")));
            slow.addFirst(e);
            if (slow.size() > SLOW) {
                slow.removeLast();
            }
        }
    }

    /** The interval since the last call, as one chart sample; starts the next interval. */
    public synchronized ConsoleDb.Sample endInterval(long at) {
        long[] sorted = java.util.Arrays.copyOf(intervalMicros, intervalSampled);
        java.util.Arrays.sort(sorted);
        ConsoleDb.Sample s = new ConsoleDb.Sample(at, intervalRequests, intervalClientErrors, intervalServerErrors,
                percentile(sorted, 0.50), percentile(sorted, 0.99));
        intervalRequests = 0;
        intervalClientErrors = 0;
        intervalServerErrors = 0;
        intervalSampled = 0;
        return s;
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Newest first. */
    public synchronized List<Entry> tail(long afterSeq) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : tail) {
            if (e.seq() <= afterSeq) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Newest first. */
    public synchronized List<Entry> slow() {
        return List.copyOf(slow);
    }

    public Duration threshold() {
        return Duration.ofNanos(slowMicros * 1000);
    }
}
