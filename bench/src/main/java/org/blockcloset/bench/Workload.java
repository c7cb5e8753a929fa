package org.blockcloset.bench;

/**
 * One row of the table: an operation on {@code count} objects of {@code size} bytes by
 * {@code concurrency} threads. The phase ("warmup", "run") keeps the key spaces apart.
 */
record Workload(String phase, Op op, int size, int concurrency, int count) {

    enum Op { PUT, GET }

    /** "PUT 4 KiB c=32". */
    String label() {
        return op + " " + Sizes.format(size) + " c=" + concurrency;
    }

    /** The key prefix of the objects this row's PUT writes and its GET reads. */
    String keyPrefix() {
        return phase + "/" + Sizes.format(size).replace(" ", "") + "-c" + concurrency + "/";
    }

    /** The same workload in another key space. */
    Workload withPrefix(String otherPhase) {
        return new Workload(otherPhase, op, size, concurrency, count);
    }
}
