package org.blockcloset.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line flags of {@code ops/bench}. Paths are relative to the working directory (the repo root). */
final class BenchOptions {
    static final String USAGE = String.join("\n",
            "usage: ops/bench [--quick] [--sizes 4KiB,1MiB,64MiB] [--concurrency 1,32] [--scale X]",
            "                 [--targets raw,blockcloset,s3proxy] [--data-dir DIR] [--out FILE] [--keep-data]",
            "                 [--warm-gets] [--cluster N] [--recovery N] [--idle S]",
            "  --quick        a fifth of the objects per row (a smoke run, ~1 minute)",
            "  --scale X      multiply every row's object count by X",
            "  --targets      which to run: raw, blockcloset, s3proxy, cluster, recovery (ratios need the baselines)",
            "  --cluster N    also run the table against a local N-node cluster (127.0.0.2..) and measure",
            "                 the longest write stall after a kill -9 of one node; alone, it runs the",
            "                 single node and the cluster only (targets blockcloset,cluster)",
            "  --recovery N   also time a single node's start holding N objects (100000 when the target",
            "                 recovery is named in --targets without this flag)",
            "                 after a clean stop and after kill -9 under load; alone, it runs only that",
            "                 (target recovery)",
            "  --idle S       after the rows, S seconds without requests (after 15 s to settle): each",
            "                 node's CPU as a share of a core (default 30; 0 skips it; --quick skips it",
            "                 unless given)",
            "  --data-dir     where all three write (default target/bench-data; must not be tmpfs)",
            "  --out          the results file (default target/bench-results.md)",
            "  --keep-data    leave the data directory in place afterwards",
            "  --warm-gets    do not drop the page cache before GET rows (it is dropped when run as root)");

    List<Integer> sizes = List.of(4 << 10, 1 << 20, 64 << 20);
    List<Integer> concurrency = List.of(1, 32);
    double scale = 1.0;
    Set<String> targets = new LinkedHashSet<>(List.of("raw", "blockcloset", "s3proxy"));
    Path dataDir = Path.of("target", "bench-data");
    Path out = Path.of("target", "bench-results.md");
    Path nodeJar = Path.of("gateway", "target", "blockcloset.jar");
    Path s3proxyJar = Path.of("bench", "target", "s3proxy", "s3proxy.jar");
    boolean keepData;
    boolean warmGets;
    int clusterSize = 3;
    int recoveryObjects = 100_000;
    /** Seconds of idle measured after the rows, per store target; 0 skips it. */
    int idleSeconds = 30;

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        boolean targetsGiven = false;
        boolean clusterGiven = false;
        boolean recoveryGiven = false;
        boolean idleGiven = false;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> {
                    o.scale *= 0.2;
                    quick = true;
                }
                case "--idle" -> {
                    o.idleSeconds = Integer.parseInt(value(args, ++i, a));
                    idleGiven = true;
                    if (o.idleSeconds < 0 || o.idleSeconds > 3600) {
                        throw new IllegalArgumentException("--idle takes 0..3600 seconds");
                    }
                }
                case "--scale" -> o.scale *= Double.parseDouble(value(args, ++i, a));
                case "--sizes" -> o.sizes = Arrays.stream(value(args, ++i, a).split(",")).map(Sizes::parse).toList();
                case "--concurrency" -> o.concurrency = Arrays.stream(value(args, ++i, a).split(","))
                        .map(String::trim).map(Integer::valueOf).toList();
                case "--targets" -> {
                    o.targets = new LinkedHashSet<>(Arrays.asList(value(args, ++i, a).split(",")));
                    targetsGiven = true;
                    if (!List.of("raw", "blockcloset", "s3proxy", "cluster", "recovery").containsAll(o.targets)) {
                        throw new IllegalArgumentException("--targets takes raw, blockcloset, s3proxy, cluster, recovery");
                    }
                }
                case "--cluster" -> {
                    o.clusterSize = Integer.parseInt(value(args, ++i, a));
                    clusterGiven = true;
                    if (o.clusterSize < 2 || o.clusterSize > 5) {
                        throw new IllegalArgumentException("--cluster takes 2..5 nodes");
                    }
                }
                case "--recovery" -> {
                    o.recoveryObjects = Integer.parseInt(value(args, ++i, a));
                    recoveryGiven = true;
                    if (o.recoveryObjects < 1) {
                        throw new IllegalArgumentException("--recovery takes a number of objects");
                    }
                }
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a));
                case "--out" -> o.out = Path.of(value(args, ++i, a));
                case "--node-jar" -> o.nodeJar = Path.of(value(args, ++i, a));
                case "--s3proxy-jar" -> o.s3proxyJar = Path.of(value(args, ++i, a));
                case "--keep-data" -> o.keepData = true;
                case "--warm-gets" -> o.warmGets = true;
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + USAGE);
            }
        }
        if (quick && !idleGiven) {
            o.idleSeconds = 0;
        }
        if (clusterGiven && !targetsGiven) {
            o.targets = new LinkedHashSet<>(List.of("blockcloset", "cluster"));
        } else if (clusterGiven) {
            o.targets.add("cluster");
        }
        if (recoveryGiven && !targetsGiven && !clusterGiven) {
            o.targets = new LinkedHashSet<>(List.of("recovery"));
        } else if (recoveryGiven) {
            o.targets.add("recovery");
        }
        if (o.concurrency.stream().anyMatch(c -> c < 1 || c > 256)) {
            throw new IllegalArgumentException("--concurrency must be 1..256");
        }
        return o;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    int maxConcurrency() {
        return concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /**
     * The measured rows, PUT then GET of the same objects, for every size and concurrency. Counts
     * keep the full run within a few minutes on 2 cores: 4 KiB 500 (c=1) / 2000, 1 MiB 50 / 200,
     * 64 MiB 4 / 32 (one object per thread at c=32, 2 GiB).
     */
    List<Workload> rows() {
        List<Workload> rows = new ArrayList<>();
        for (int size : sizes) {
            for (int c : concurrency) {
                int count = count(size, c);
                rows.add(new Workload("run", Workload.Op.PUT, size, c, count));
                rows.add(new Workload("run", Workload.Op.GET, size, c, count));
            }
        }
        return rows;
    }

    private int count(int size, int c) {
        int base;
        if (size <= 64 << 10) {
            base = c == 1 ? 500 : Math.max(2000, 20 * c);
        } else if (size <= 8 << 20) {
            base = c == 1 ? 50 : Math.max(200, 4 * c);
        } else {
            base = c == 1 ? 4 : c;
        }
        return (int) Math.max(1, Math.round(base * scale));
    }

    /** Short rows run before measuring, so both JVMs (client and server) have compiled the hot paths. */
    List<Workload> warmup() {
        List<Workload> w = new ArrayList<>();
        w.add(new Workload("warmup", Workload.Op.PUT, 4 << 10, 8, (int) Math.max(40, 3000 * scale)));
        w.add(new Workload("warmup", Workload.Op.GET, 4 << 10, 8, (int) Math.max(40, 3000 * scale)));
        w.add(new Workload("warmup", Workload.Op.PUT, 1 << 20, 4, (int) Math.max(8, 40 * scale)));
        w.add(new Workload("warmup", Workload.Op.GET, 1 << 20, 4, (int) Math.max(8, 40 * scale)));
        return w;
    }
}
