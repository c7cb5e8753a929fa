package org.blockcloset.ledger.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-stage timings of the request this thread serves (auth, index lookup, blocks durable, log
 * commit, view applied, …) for the slow-request log. A request {@link #begin}s a trace; code on its
 * path {@link #mark}s the end of each stage; marks outside a request cost a ThreadLocal read.
 */
public final class Trace {
    private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();
    private final long started = System.nanoTime();
    private long last = started;
    /** Queries of the views since the last mark. */
    private int viewReads;
    private final List<Stage> stages = java.util.Collections.synchronizedList(new ArrayList<>());

    /** One stage: its name, how long it took in microseconds, and how many times it queried the views. */
    public record Stage(String name, long micros, int viewReads) {
        public Stage(String name, long micros) {
            this(name, micros, 0);
        }

        /** "auth 0.3 ms (1 view read)" */
        @Override
        public String toString() {
            return name + " " + String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0)
                    + (viewReads == 0 ? "" : " (" + viewReads + (viewReads == 1 ? " view read)" : " view reads)"));
        }
    }

    private Trace() {
    }

    public static Trace begin() {
        Trace t = new Trace();
        CURRENT.set(t);
        return t;
    }

    /** Ends the current stage of this thread's request, if it has one. */
    public static void mark(String stage) {
        Trace t = CURRENT.get();
        if (t != null) {
            long now = System.nanoTime();
            t.stages.add(new Stage(stage, (now - t.last) / 1000, t.viewReads));
            t.last = now;
            t.viewReads = 0;
        }
    }

    /** Counts a query of the views in the current stage of this thread's request, if it has one. */
    public static void viewRead() {
        Trace t = CURRENT.get();
        if (t != null) {
            t.viewReads++;
        }
    }

    /** The trace of this thread's request, or null outside one (to hand to threads working for it). */
    public static Trace current() {
        return CURRENT.get();
    }

    /**
     * Adds a stage that ran beside the request's own (a replica's block writes, on other threads):
     * listed with its duration, it does not end the current stage.
     */
    public void detail(String name, long micros) {
        stages.add(new Stage(name, micros));
    }

    /** Ends the trace: the last stage is named {@code rest}; returns the stages. */
    public List<Stage> end(String rest) {
        mark(rest);
        CURRENT.remove();
        return List.copyOf(stages);
    }

    public long elapsedMicros() {
        return (System.nanoTime() - started) / 1000;
    }
}
