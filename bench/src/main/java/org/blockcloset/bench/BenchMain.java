package org.blockcloset.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ops/bench}: PUT and GET throughput and latency of a Block Closet node, with the same
 * workload run against two baselines on the same disk, the raw disk and S3Proxy, one after the
 * other (never at the same time, so they do not share the disk or the 2 cores).
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = e.getMessage().equals(BenchOptions.USAGE);
            (help ? System.out : System.err).println(e.getMessage());
            System.exit(help ? 0 : 2);
            return;
        }
        Path root = o.dataDir.toAbsolutePath();
        deleteTree(root);
        Files.createDirectories(root);
        if (Files.getFileStore(root).type().equals("tmpfs")) {
            System.err.println(root + " is on tmpfs: the figures would not be the disk's; pick --data-dir on a disk");
            System.exit(2);
        }
        Files.deleteIfExists(log(root, "blockcloset"));
        Files.deleteIfExists(log(root, "s3proxy"));
        PageCache cache = PageCache.open(!o.warmGets);
        String facts = facts(root) + "; " + cache.describe();
        System.err.println(facts);
        List<Workload> rows = o.rows();
        Payload payload = new Payload(42);
        Report report = new Report();
        try {
            if (o.targets.contains("raw")) {
                try (RawDiskTarget raw = new RawDiskTarget(root.resolve("raw"), payload)) {
                    measure(Report.RAW, raw, List.of(), o, rows, report, cache);
                }
                deleteTree(root.resolve("raw"));
            }
            if (o.targets.contains("blockcloset")) {
                runNode(o, root, rows, payload, report, cache);
            }
            if (o.targets.contains("cluster")) {
                runCluster(o, root, rows, payload, report, cache);
            }
            if (o.targets.contains("s3proxy")) {
                runPeer(o, root, rows, payload, report, cache);
            }
            if (o.targets.contains("recovery")) {
                runRecovery(o, root, payload, report);
            }
        } finally {
            if (!o.keepData) {
                deleteTree(root);
            }
        }
        report.note("1-minute load average at the end " + loadAverage() + "; a load above the "
                + "core count means other processes shared the CPUs and the figures are low.");
        String table = report.render(facts, rows);
        System.out.println();
        System.out.print(table);
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, "# Block Closet benchmark, " + LocalDate.now() + "\n\n" + table);
        System.err.println("saved to " + o.out);
    }

    private static void runNode(BenchOptions o, Path root, List<Workload> rows, Payload payload, Report report,
            PageCache cache) throws Exception {
        System.err.println("starting the Block Closet node...");
        try (BlockClosetNode node = BlockClosetNode.start(o.nodeJar.toAbsolutePath(), root.resolve("blockcloset"),
                log(root, "blockcloset"))) {
            try (S3Target s3 = new S3Target(node.endpoint(), BlockClosetNode.ACCESS_KEY, BlockClosetNode.SECRET_KEY,
                    connections(o), payload)) {
                s3.createBucket();
                measure(Report.NODE, s3, List.of(node.jvm()), o, rows, report, cache);
            }
            long[] mem = node.jvm().residentMemory();
            report.nodeMemory(mem[0], mem[1]);
            idle(Report.NODE, List.of(node), o, report);
        }
        deleteTree(root.resolve("blockcloset"));
    }

    /**
     * The same rows against a local cluster (written and read through its first node; every bucket
     * at the default replication factor, min(3, nodes)), then the write stall when its first node,
     * the one that created the log and its controller quorum, gets SIGKILL while clients write
     * through the others.
     */
    private static void runCluster(BenchOptions o, Path root, List<Workload> rows, Payload payload, Report report,
            PageCache cache) throws Exception {
        int n = o.clusterSize;
        for (int i = 0; i < n; i++) {
            Files.deleteIfExists(clusterLog(root, i));
        }
        report.clusterSize(n);
        try (LocalCluster cluster = LocalCluster.start(o.nodeJar.toAbsolutePath(), n, root.resolve("cluster"),
                i -> clusterLog(root, i))) {
            List<BlockClosetNode> nodes = cluster.nodes();
            try (S3Target s3 = new S3Target(nodes.get(0).endpoint(), BlockClosetNode.ACCESS_KEY,
                    BlockClosetNode.SECRET_KEY, connections(o), payload)) {
                s3.createBucket();
                measure(Report.CLUSTER, s3, nodes.stream().map(BlockClosetNode::jvm).toList(), o, rows, report, cache);
            }
            for (BlockClosetNode node : nodes) {
                long[] mem = node.jvm().residentMemory();
                report.clusterNodeMemory(node.host(), mem[0], mem[1]);
            }
            idle(Report.CLUSTER, nodes, o, report);
            System.err.println("write stall: writing through " + (n - 1) + " gateways, then kill -9 of " + nodes.get(0).host() + "...");
            List<S3Target> survivors = new java.util.ArrayList<>();
            try {
                for (BlockClosetNode node : nodes.subList(1, n)) {
                    survivors.add(new S3Target(node.endpoint(), BlockClosetNode.ACCESS_KEY, BlockClosetNode.SECRET_KEY,
                            16, payload));
                }
                StallProbe.Outcome stall = StallProbe.run(survivors, STALL_WRITERS_PER_GATEWAY, 4 << 10,
                        STALL_BEFORE_MILLIS, STALL_AFTER_MILLIS, nodes.get(0).jvm());
                System.err.printf(Locale.ROOT, "write stall %.2f s (longest gap before the kill %.2f s), %d PUTs acknowledged, %d failed%n",
                        stall.stallSeconds(), stall.quietGapSeconds(), stall.acknowledged(), stall.failed());
                report.stall(nodes.get(0).host(), survivors.size() * STALL_WRITERS_PER_GATEWAY, stall);
            } finally {
                for (S3Target t : survivors) {
                    t.close();
                }
            }
        }
        deleteTree(root.resolve("cluster"));
        runRepair(o, root, payload, report);
    }

    /**
     * Time to restore full replication after a node loss (ADR 0011), on a second 3-node cluster
     * keeping two copies with a repair grace of 0, as a ratio of the raw disk's write rate measured
     * here; and a client's PUT rate while the repair runs, as a ratio of its rate before the kill.
     */
    private static void runRepair(BenchOptions o, Path root, Payload payload, Report report) throws Exception {
        Result raw = report.result(Report.RAW, "PUT 64 MiB c=1");
        if (raw == null) {
            System.err.println("repair: measuring the raw disk's write rate (16 x 64 MiB, fsync'd)...");
            try (RawDiskTarget disk = new RawDiskTarget(root.resolve("raw-repair"), payload)) {
                raw = Runner.run(disk, new Workload("raw-repair", Workload.Op.PUT, 64 << 20, 1, (int) Math.max(2, 16 * o.scale)));
            }
            deleteTree(root.resolve("raw-repair"));
        }
        for (int i = 0; i < 3; i++) {
            Files.deleteIfExists(log(root, "repair-node" + (i + 1)));
        }
        System.err.println("repair: starting 3 nodes keeping 2 copies, repair grace 0...");
        long gib = (long) Math.max(256L << 20, (1L << 30) * Math.min(1.0, o.scale * 5));
        try (LocalCluster cluster = LocalCluster.start(o.nodeJar.toAbsolutePath(), 3, root.resolve("repair"),
                i -> log(root, "repair-node" + (i + 1)), Map.of("BLOCKCLOSET_REPLICATION", "2",
                        "BLOCKCLOSET_REPAIR_GRACE", "0 seconds", "BLOCKCLOSET_REPAIR_INTERVAL", "1 second"))) {
            RepairProbe.Outcome out = RepairProbe.run(cluster, payload, gib,
                    new Workload("repair", Workload.Op.PUT, 1 << 20, 4, (int) Math.max(40, 200 * o.scale)));
            System.err.printf(Locale.ROOT, "repair: %d MiB restored in %.1f s; PUT 1 MiB c=4 %.1f/s before, %.1f/s during%n",
                    out.bytesRepaired() >> 20, out.repairSeconds(), out.putRateBefore(), out.putRateDuring());
            report.repair(out, raw.mibPerSecond());
        }
        deleteTree(root.resolve("repair"));
    }

    /** A single node's start after a clean stop and after kill -9, holding many objects (issue 17). */
    private static void runRecovery(BenchOptions o, Path root, Payload payload, Report report) throws Exception {
        Files.deleteIfExists(log(root, "recovery"));
        int objects = o.recoveryObjects;
        RecoveryProbe.Outcome out = RecoveryProbe.run(o.nodeJar.toAbsolutePath(), root.resolve("recovery"), log(root, "recovery"),
                objects, payload);
        System.err.printf(Locale.ROOT, "recovery: %d objects; healthy %.1f s after a clean stop, %.1f s after kill -9%n",
                out.objects(), out.cleanHealthy(), out.crashHealthy());
        report.recovery(out);
        deleteTree(root.resolve("recovery"));
    }

    private static final int STALL_WRITERS_PER_GATEWAY = 2;
    private static final long STALL_BEFORE_MILLIS = 5_000;
    private static final long STALL_AFTER_MILLIS = 20_000;

    private static Path clusterLog(Path root, int i) {
        return log(root, "cluster-node" + (i + 1));
    }

    private static void runPeer(BenchOptions o, Path root, List<Workload> rows, Payload payload, Report report,
            PageCache cache) throws Exception {
        System.err.println("starting S3Proxy...");
        report.peerVersion(S3ProxyPeer.version(o.s3proxyJar));
        try (S3ProxyPeer peer = S3ProxyPeer.start(o.s3proxyJar.toAbsolutePath(), root.resolve("s3proxy"),
                log(root, "s3proxy"));
             S3Target s3 = new S3Target(peer.endpoint(), S3ProxyPeer.ACCESS_KEY, S3ProxyPeer.SECRET_KEY,
                     connections(o), payload)) {
            s3.createBucket();
            measure(Report.PEER, s3, List.of(peer.jvm()), o, rows, report, cache);
            long[] mem = peer.jvm().residentMemory();
            report.note(String.format(Locale.ROOT, "S3Proxy resident memory after the run: VmRSS %.0f MB (same JVM flags "
                    + "as the node: %s).", mem[0] / 1e6, String.join(" ", ChildJvm.JVM_OPTS)));
        }
        deleteTree(root.resolve("s3proxy"));
    }

    /** Server logs go beside the data directory, so they outlive its clean-up. */
    private static Path log(Path root, String server) {
        return root.resolveSibling(root.getFileName() + "-" + server + ".log");
    }

    private static int connections(BenchOptions o) {
        return Math.max(64, 2 * o.maxConcurrency());
    }

    /** How long an idle spell waits before it counts: the last requests' background work settles. */
    private static final long IDLE_SETTLE_MILLIS = 15_000;

    /**
     * Each node's CPU while nobody asks anything of it, after the rows: the work a node does all day
     * on a small box (liveness, the log's heartbeats, the views' polls, the stewards).
     */
    private static void idle(String name, List<BlockClosetNode> nodes, BenchOptions o, Report report)
            throws InterruptedException {
        if (o.idleSeconds == 0) {
            return;
        }
        System.err.printf(Locale.ROOT, "%s: idle for %d s (after %d s to settle)...%n", name, o.idleSeconds,
                IDLE_SETTLE_MILLIS / 1000);
        Thread.sleep(IDLE_SETTLE_MILLIS);
        ServerCpu cpu = ServerCpu.start(nodes.stream().map(BlockClosetNode::jvm).toList());
        Thread.sleep(o.idleSeconds * 1000L);
        ServerCpu.Used used = cpu.stop();
        report.idle(name, nodes.stream().map(BlockClosetNode::host).toList(), used);
        System.err.printf(Locale.ROOT, "%s idle: %s %% of a core%n", name, used.percentOfACoreEach().stream()
                .map(Report::number).collect(java.util.stream.Collectors.joining(" / ")));
    }

    /** The rows against one target; {@code servers}: its processes, whose CPU each row is charged (none for the raw disk). */
    private static void measure(String name, Target target, List<ChildJvm> servers, BenchOptions o, List<Workload> rows,
            Report report, PageCache cache)
            throws InterruptedException {
        for (Workload w : o.warmup()) {
            Result r = Runner.run(target, w);
            if (r.errors() > 0) {
                throw new IllegalStateException(name + " failed its warm-up: " + r.firstError());
            }
        }
        for (Workload w : rows) {
            cache.beforeRow(w);
            ServerCpu cpu = ServerCpu.start(servers);
            Result r = Runner.run(target, w);
            ServerCpu.Used used = cpu.stop();
            report.add(name, r, used);
            System.err.printf(Locale.ROOT, "%-13s %-20s %9s obj/s %9s MiB/s  p50 %8s ms  p99 %8s ms  CPU %8s ms/op%s%n", name,
                    w.label(), Report.number(r.objectsPerSecond()), Report.number(r.mibPerSecond()),
                    Report.number(r.p50Millis()), Report.number(r.p99Millis()), Report.number(used.millisPerOp(r.ok())),
                    r.errors() > 0 ? "  (" + r.errors() + " errors)" : "");
        }
    }

    private static String facts(Path dir) throws IOException {
        FileStore fs = Files.getFileStore(dir);
        long memKib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        return String.format(Locale.ROOT, "Revision %s. Machine: %d cores, %.0f GiB RAM, %s %s (%s), %s %s; data on %s (%s); 1-minute load average at the start %s",
                System.getProperty("bench.revision", "unknown"), Runtime.getRuntime().availableProcessors(), memKib / 1048576.0,
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.version"),
                fs.name(), fs.type(), loadAverage());
    }

    /** The 1-minute load average: above the core count, something else was competing for the CPUs. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException unknown) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
