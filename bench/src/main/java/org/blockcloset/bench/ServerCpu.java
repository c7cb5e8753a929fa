package org.blockcloset.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU the server processes of a target used over an interval (from /proc, every thread, the
 * background work included), node by node: what a row or an idle spell cost the machine.
 */
final class ServerCpu {
    private final List<ChildJvm> servers;
    private final long[] start;
    private final long startNanos;

    private ServerCpu(List<ChildJvm> servers) {
        this.servers = List.copyOf(servers);
        this.start = new long[servers.size()];
        for (int i = 0; i < servers.size(); i++) {
            start[i] = servers.get(i).cpuNanos();
        }
        this.startNanos = System.nanoTime();
    }

    /** Starts counting for {@code servers} (none for the raw disk: nothing to count). */
    static ServerCpu start(List<ChildJvm> servers) {
        return new ServerCpu(servers);
    }

    /** What each server used since the start, and how long the interval was. */
    Used stop() {
        long wall = System.nanoTime() - startNanos;
        List<Long> used = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            long now = servers.get(i).cpuNanos();
            used.add(now < 0 || start[i] < 0 ? -1L : now - start[i]);
        }
        return new Used(used, wall);
    }

    /** @param nanos per server, in the order given; -1 where unknown */
    record Used(List<Long> nanos, long wallNanos) {
        boolean known() {
            return !nanos.isEmpty() && nanos.stream().allMatch(n -> n >= 0);
        }

        long totalNanos() {
            return nanos.stream().mapToLong(Long::longValue).sum();
        }

        /** Milliseconds of CPU per operation, summed over the servers. */
        double millisPerOp(int ops) {
            return known() && ops > 0 ? totalNanos() / 1e6 / ops : Double.NaN;
        }

        /** Each server's milliseconds of CPU per operation. */
        List<Double> millisPerOpEach(int ops) {
            return nanos.stream().map(n -> n >= 0 && ops > 0 ? n / 1e6 / ops : Double.NaN).toList();
        }

        /** Each server's share of one core over the interval, in percent. */
        List<Double> percentOfACoreEach() {
            return nanos.stream().map(n -> n >= 0 ? 100.0 * n / wallNanos : Double.NaN).toList();
        }
    }
}
