package org.blockcloset.bench;

import java.util.Arrays;

/** What one workload measured on one target. Latencies are of successful operations only. */
record Result(Workload workload, int ok, int errors, String firstError, long wallNanos, long[] latencyNanos) {

    double objectsPerSecond() {
        return ok / seconds();
    }

    double mibPerSecond() {
        return (double) ok * workload.size() / (1 << 20) / seconds();
    }

    double p50Millis() {
        return percentileMillis(0.50);
    }

    double p99Millis() {
        return percentileMillis(0.99);
    }

    private double seconds() {
        return wallNanos / 1e9;
    }

    /** Nearest-rank percentile. */
    private double percentileMillis(double p) {
        if (latencyNanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = latencyNanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
