package org.blockcloset.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A server started as a separate JVM with its output in a log file; stopped with SIGTERM. */
final class ChildJvm implements AutoCloseable {
    /** The heap and collector `ops/blockcloset up` gives a node; the peer gets the same. */
    static final List<String> JVM_OPTS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    private final String name;
    private final Path log;
    private final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(String name, Path jar, List<String> args, Map<String, String> env, Path log) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": no jar at " + jar + " (ops/bench builds it)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTS);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // As ops/blockcloset runs a node: a dropped reverse DNS query costs 1 s, not glibc's 5 (ADR 0009).
        pb.environment().putIfAbsent("RES_OPTIONS", "timeout:1 attempts:1");
        pb.environment().putAll(env);
        return new ChildJvm(name, log, pb.start());
    }

    /**
     * A Block Closet node run as every launcher runs one, through {@code ops/release/blockcloset-node}
     * (with its class-data-sharing archive, ADR 0017) and the same heap and collector as {@link #JVM_OPTS};
     * the script execs the JVM, so this process is the node's.
     */
    static ChildJvm startNode(String name, Path jar, Map<String, String> env, Path log) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + ": no jar at " + jar + " (ops/bench builds it)");
        }
        Path launcher = jar.toAbsolutePath().getParent().getParent().getParent().resolve("ops/release/blockcloset-node");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), jar.toAbsolutePath().toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("BLOCKCLOSET_JAVA_OPTS", String.join(" ", JVM_OPTS));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        pb.environment().putAll(env);
        return new ChildJvm(name, log, pb.start());
    }

    /** Polls {@code ready} every 200 ms until it holds; fails if the process exits or time runs out. */
    void awaitReady(BooleanSupplier ready, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready.getAsBoolean()) {
                return;
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** VmRSS and VmHWM (peak) from /proc/&lt;pid&gt;/status, in bytes; -1 where unknown. */
    long[] residentMemory() {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // not Linux, or the process is gone
        }
        return new long[] {rss, hwm};
    }

    /**
     * CPU time the process has used so far, every thread (user + system, from /proc/&lt;pid&gt;/stat),
     * in nanoseconds; -1 where unknown. The kernel counts it in clock ticks of 10 ms.
     */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count from after it.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException unknown) {
            return -1;
        }
    }

    /** USER_HZ: 100 on every Linux this runs on (x86-64 and arm64 builds fix it at 100). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    /** SIGKILL, as a host losing power would; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
