package org.blockcloset.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the measured rows as Markdown: the store's table with ratios, the baselines, the targets. */
final class Report {
    static final String RAW = "raw disk";
    static final String NODE = "Block Closet";
    static final String PEER = "S3Proxy";
    static final String CLUSTER = "cluster";

    private final Map<String, Map<String, Result>> byTarget = new LinkedHashMap<>();
    /** The server CPU each row cost, by target and row. */
    private final Map<String, Map<String, ServerCpu.Used>> cpuByTarget = new LinkedHashMap<>();
    /** Each target's idle spell: its nodes' hosts and what they used. */
    private final Map<String, Map.Entry<List<String>, ServerCpu.Used>> idle = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private long nodeRss = -1;
    private long nodePeak = -1;
    private String peerVersion = "S3Proxy";
    private int clusterSize;
    private final Map<String, long[]> clusterMemory = new LinkedHashMap<>();
    private String stallVictim;
    private int stallWriters;
    private StallProbe.Outcome stall;
    private RepairProbe.Outcome repair;
    private double rawWriteMiBps;

    private RecoveryProbe.Outcome recovery;

    void recovery(RecoveryProbe.Outcome outcome) {
        this.recovery = outcome;
    }

    void repair(RepairProbe.Outcome outcome, double rawMiBps) {
        this.repair = outcome;
        this.rawWriteMiBps = rawMiBps;
    }

    Result result(String target, String label) {
        Map<String, Result> m = byTarget.get(target);
        return m == null ? null : m.get(label);
    }

    void clusterSize(int n) {
        this.clusterSize = n;
    }

    void clusterNodeMemory(String host, long rss, long peak) {
        clusterMemory.put(host, new long[] {rss, peak});
    }

    void stall(String victim, int writers, StallProbe.Outcome outcome) {
        this.stallVictim = victim;
        this.stallWriters = writers;
        this.stall = outcome;
    }

    void idle(String target, List<String> hosts, ServerCpu.Used used) {
        idle.put(target, Map.entry(hosts, used));
    }

    void add(String target, Result r, ServerCpu.Used cpu) {
        byTarget.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(r.workload().label(), r);
        cpuByTarget.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(r.workload().label(), cpu);
        if (r.errors() > 0) {
            notes.add(target + ", " + r.workload().label() + ": " + r.errors() + " of " + r.workload().count()
                    + " failed; first: " + r.firstError());
        }
    }

    void note(String line) {
        notes.add(line);
    }

    void peerVersion(String version) {
        this.peerVersion = version;
    }

    void nodeMemory(long rss, long peak) {
        this.nodeRss = rss;
        this.nodePeak = peak;
    }

    String render(String facts, List<Workload> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(facts).append("\n\n");
        if (byTarget.containsKey(NODE)) {
            sb.append("Block Closet (ratios: the store's objects/s over the baseline's, same workload):\n\n");
            sb.append("| workload | objects/s | MiB/s | p50 ms | p99 ms | CPU ms/op | × raw disk | × S3Proxy |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Workload w : rows) {
                Result r = get(NODE, w);
                if (r != null) {
                    sb.append("| ").append(label(r)).append(" | ").append(figures(r)).append(" | ").append(cpu(NODE, r))
                            .append(" | ").append(ratio(r, get(RAW, w))).append(" | ").append(ratio(r, get(PEER, w))).append(" |\n");
                }
            }
            sb.append("CPU ms/op: the node process's CPU time (every thread, from /proc) over the row, per object.\n");
            if (byTarget.containsKey(PEER)) {
                sb.append(S3ProxyPeer.NOTE).append(" — the × S3Proxy column.\n");
            }
            sb.append('\n');
        }
        if (byTarget.containsKey(CLUSTER)) {
            sb.append(String.format(Locale.ROOT, "Block Closet, a %d-node cluster on this machine (127.0.0.2..; every "
                    + "object on %d nodes, the default replication; written and read through the first node; ratios: "
                    + "the cluster's objects/s over the single node's in this run):%n%n", clusterSize, Math.min(3, clusterSize)));
            sb.append("| workload | objects/s | MiB/s | p50 ms | p99 ms | CPU ms/op, all nodes | each node | × single node | CPU × single node |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Workload w : rows) {
                Result r = get(CLUSTER, w);
                if (r != null) {
                    sb.append("| ").append(label(r)).append(" | ").append(figures(r)).append(" | ").append(cpu(CLUSTER, r))
                            .append(" | ").append(cpuEach(CLUSTER, r)).append(" | ").append(ratio(r, get(NODE, w)))
                            .append(" | ").append(cpuRatio(r, get(NODE, w))).append(" |\n");
                }
            }
            sb.append('\n');
            for (Map.Entry<String, long[]> e : clusterMemory.entrySet()) {
                sb.append(String.format(Locale.ROOT, "- node %s resident memory after the run: VmRSS %.0f MB, peak VmHWM %.0f MB%n",
                        e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1] / 1e6));
            }
            if (stall != null) {
                sb.append(String.format(Locale.ROOT, "- write stall after kill -9 of %s (the node that created the log and "
                        + "its first controller) while %d threads PUT 4 KiB objects through the other gateways, no "
                        + "retries: **%.2f s** without an acknowledged PUT (longest gap before the kill: %.2f s); "
                        + "%d PUTs acknowledged, %d failed%s%n", stallVictim, stallWriters, stall.stallSeconds(),
                        stall.quietGapSeconds(), stall.acknowledged(), stall.failed(),
                        stall.firstError() == null ? "" : " (first: " + stall.firstError() + ")"));
            }
            if (repair != null) {
                double rate = repair.repairSeconds() > 0 ? repair.bytesRepaired() / 1048576.0 / repair.repairSeconds() : 0;
                sb.append(String.format(Locale.ROOT, "- repair after a node loss (3 nodes keeping 2 copies, %d MiB written, "
                        + "repair grace 0, default BLOCKCLOSET_REPAIR_BANDWIDTH): the node was recorded as failed %.1f s "
                        + "after kill -9; then **%.1f s** to restore two copies of every block (%d MiB copied by the "
                        + "survivors, %.1f MiB/s, **%.2f×** the raw disk's write rate of %.0f MiB/s measured in this run)%n",
                        repair.bytesWritten() >> 20, repair.failedAfterSeconds(), repair.repairSeconds(),
                        repair.bytesRepaired() >> 20, rate, rawWriteMiBps > 0 ? rate / rawWriteMiBps : Double.NaN, rawWriteMiBps));
                sb.append(String.format(Locale.ROOT, "- client PUT rate (1 MiB, c=4) while the repair ran: %.1f/s vs %.1f/s "
                        + "on the same two nodes once it was over: **%.2f×** (%.1f/s on three nodes before the kill)%s%n",
                        repair.putRateDuring(), repair.putRateAfter(), repair.putRateDuring() / repair.putRateAfter(),
                        repair.putRateBefore(),
                        repair.repairOutlastedWorkload() ? "" : " (the repair finished before the workload did: the ratio is optimistic)"));
            }
            sb.append('\n');
        }
        if (recovery != null) {
            RecoveryProbe.Outcome r = recovery;
            sb.append(String.format(Locale.ROOT, "A single node's start holding %,d objects of 1 KiB (written in %.0f s at c=32), "
                    + "from the launch of the process (ratios: over the clean start in this run):%n%n", r.objects(), r.fillSeconds()));
            sb.append("| start | healthy s | serving s (a GET and a PUT answered) | × clean start |\n");
            sb.append("|---|---:|---:|---:|\n");
            sb.append(String.format(Locale.ROOT, "| after a clean stop (SIGTERM) | %.1f | %.1f | 1.00× |%n", r.cleanHealthy(), r.cleanServing()));
            sb.append(String.format(Locale.ROOT, "| after kill -9 under write load (%d PUTs acknowledged in the 3 s before) | %.1f | %.1f | %.2f× |%n%n",
                    r.putsAcknowledgedBeforeKill(), r.crashHealthy(), r.crashServing(), r.crashServing() / r.cleanServing()));
        }
        for (String base : List.of(RAW, PEER)) {
            if (!byTarget.containsKey(base)) {
                continue;
            }
            sb.append(base.equals(RAW) ? "Raw disk (FileChannel: write + force(true) per file; read back):\n\n"
                    : peerVersion + " — filesystem backend, no fsync (non-durable):\n\n");
            sb.append("| workload | objects/s | MiB/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n");
            for (Workload w : rows) {
                Result r = get(base, w);
                if (r != null) {
                    sb.append("| ").append(label(r)).append(" | ").append(figures(r)).append(" |\n");
                }
            }
            sb.append('\n');
        }
        if (nodeRss >= 0) {
            sb.append(String.format(Locale.ROOT, "Block Closet node resident memory after the run: VmRSS %.0f MB "
                    + "(%.0f MiB), peak VmHWM %.0f MB.%n%n", nodeRss / 1e6, nodeRss / 1048576.0, nodePeak / 1e6));
        }
        for (Map.Entry<String, Map.Entry<List<String>, ServerCpu.Used>> e : idle.entrySet()) {
            List<Double> each = e.getValue().getValue().percentOfACoreEach();
            List<String> hosts = e.getValue().getKey();
            StringBuilder nodes = new StringBuilder();
            for (int i = 0; i < each.size(); i++) {
                nodes.append(i == 0 ? "" : ", ").append(hosts.get(i)).append(" **").append(number(each.get(i))).append(" %**");
            }
            sb.append(String.format(Locale.ROOT, "%s idle (no requests for %.0f s, after the rows and 15 s to settle): CPU as a share "
                    + "of one core, node by node: %s.%n%n", e.getKey(), e.getValue().getValue().wallNanos() / 1e9, nodes));
        }
        sb.append(targets(rows));
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    private String targets(List<Workload> rows) {
        List<String> lines = new ArrayList<>();
        for (Workload w : rows) {
            Result r = get(NODE, w);
            Result raw = get(RAW, w);
            if (r == null) {
                continue;
            }
            if (w.size() == 64 << 20 && raw != null) {
                double min = w.op() == Workload.Op.PUT ? 0.7 : 0.8;
                double x = r.objectsPerSecond() / raw.objectsPerSecond();
                lines.add(check(String.format(Locale.ROOT, "%s ≥ %.1f× raw disk: %.2f×", w.label(), min, x), x >= min));
            }
            if (w.size() == 4 << 10 && w.op() == Workload.Op.PUT && w.concurrency() == 32) {
                double x = r.objectsPerSecond();
                lines.add(check(String.format(Locale.ROOT, "%s ≥ 2,000 objects/s: %,.0f", w.label(), x), x >= 2000));
            }
        }
        if (nodeRss >= 0) {
            lines.add(check(String.format(Locale.ROOT, "node RSS ≤ 300 MB: %.0f MB", nodeRss / 1e6), nodeRss <= 300e6));
        }
        for (Map.Entry<String, long[]> e : clusterMemory.entrySet()) {
            lines.add(check(String.format(Locale.ROOT, "cluster node %s RSS ≤ 300 MB: %.0f MB", e.getKey(), e.getValue()[0] / 1e6),
                    e.getValue()[0] <= 300e6));
        }
        for (Map.Entry<String, Map.Entry<List<String>, ServerCpu.Used>> e : idle.entrySet()) {
            double worst = e.getValue().getValue().percentOfACoreEach().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            lines.add(check(String.format(Locale.ROOT, "%s idle ≤ 2 %% of a core per node: %s %% at most", e.getKey(), number(worst)),
                    worst <= 2));
        }
        for (Workload w : rows) {
            Result c = get(CLUSTER, w);
            Result single = get(NODE, w);
            if (c != null && single != null && w.op() == Workload.Op.PUT && w.size() == 4 << 10) {
                double x = cpuPerOp(CLUSTER, c) / cpuPerOp(NODE, single);
                lines.add(check(String.format(Locale.ROOT, "cluster CPU per %s ≤ 2.5× single node's: %s×", w.label(), number(x)),
                        x <= 2.5));
            }
        }
        for (Workload w : rows) {
            Result c = get(CLUSTER, w);
            Result single = get(NODE, w);
            if (c == null || single == null || w.op() != Workload.Op.PUT || single.ok() == 0) {
                continue;
            }
            double min = w.size() == 64 << 20 ? 0.3 : w.size() == 4 << 10 ? 0.5 : 0;
            if (min > 0) {
                double x = c.objectsPerSecond() / single.objectsPerSecond();
                lines.add(check(String.format(Locale.ROOT, "cluster %s ≥ %.1f× single node: %.2f×", w.label(), min, x), x >= min));
            }
        }
        if (repair != null && repair.putRateAfter() > 0) {
            double x = repair.putRateDuring() / repair.putRateAfter();
            lines.add(check(String.format(Locale.ROOT, "client PUT rate during a repair ≥ 0.5× without: %.2f×", x), x >= 0.5));
        }
        if (stall != null) {
            lines.add(check(String.format(Locale.ROOT, "write stall after kill -9 ≤ 3 s: %.2f s", stall.stallSeconds()),
                    stall.stallSeconds() <= 3));
        }
        if (recovery != null) {
            lines.add(check(String.format(Locale.ROOT, "serving ≤ 10 s after kill -9 at %,d objects: %.1f s", recovery.objects(),
                    recovery.crashServing()), recovery.crashServing() <= 10));
        }
        if (lines.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("Targets:\n\n");
        lines.forEach(l -> sb.append("- ").append(l).append('\n'));
        return sb.append('\n').toString();
    }

    private static String check(String line, boolean met) {
        return line + (met ? " — met" : " — **not met**");
    }

    private Result get(String target, Workload w) {
        Map<String, Result> m = byTarget.get(target);
        return m == null ? null : m.get(w.label());
    }

    private double cpuPerOp(String target, Result r) {
        Map<String, ServerCpu.Used> m = cpuByTarget.get(target);
        ServerCpu.Used used = m == null ? null : m.get(r.workload().label());
        return used == null ? Double.NaN : used.millisPerOp(r.ok());
    }

    private String cpu(String target, Result r) {
        return number(cpuPerOp(target, r));
    }

    private String cpuEach(String target, Result r) {
        Map<String, ServerCpu.Used> m = cpuByTarget.get(target);
        ServerCpu.Used used = m == null ? null : m.get(r.workload().label());
        return used == null ? "—" : String.join(" / ", used.millisPerOpEach(r.ok()).stream().map(Report::number).toList());
    }

    private String cpuRatio(Result r, Result base) {
        if (base == null) {
            return "—";
        }
        double x = cpuPerOp(CLUSTER, r) / cpuPerOp(NODE, base);
        return Double.isNaN(x) || Double.isInfinite(x) ? "—" : String.format(Locale.ROOT, "%.2f×", x);
    }

    private static String label(Result r) {
        return r.workload().label() + (r.errors() > 0 ? " (" + r.errors() + " errors)" : "");
    }

    private static String figures(Result r) {
        return String.format(Locale.ROOT, "%s | %s | %s | %s", number(r.objectsPerSecond()), number(r.mibPerSecond()),
                number(r.p50Millis()), number(r.p99Millis()));
    }

    private static String ratio(Result r, Result base) {
        if (base == null || base.ok() == 0 || r.ok() == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×", r.objectsPerSecond() / base.objectsPerSecond());
    }

    /** Three significant figures, thousands separated. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
