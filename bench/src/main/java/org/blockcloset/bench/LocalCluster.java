package org.blockcloset.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster of {@code n} nodes as separate processes on this machine, node {@code i} on
 * 127.0.0.{i+2} with its own data directory and ports: the first creates the cluster, each next one
 * joins through the previous with a fresh join token, as {@code ops/local-cluster} does.
 */
final class LocalCluster implements AutoCloseable {
    private final List<BlockClosetNode> nodes = new ArrayList<>();

    private LocalCluster() {
    }

    static LocalCluster start(Path jar, int n, Path dataDir, java.util.function.IntFunction<Path> log)
            throws IOException, InterruptedException {
        return start(jar, n, dataDir, log, Map.of());
    }

    /** {@code settings}: BLOCKCLOSET_* settings every node gets. */
    static LocalCluster start(Path jar, int n, Path dataDir, java.util.function.IntFunction<Path> log, Map<String, String> settings)
            throws IOException, InterruptedException {
        LocalCluster c = new LocalCluster();
        try {
            for (int i = 0; i < n; i++) {
                String host = "127.0.0." + (i + 2);
                Map<String, String> env = new java.util.HashMap<>(settings);
                if (i > 0) {
                    BlockClosetNode member = c.nodes.get(i - 1);
                    env.put("BLOCKCLOSET_JOIN", member.joinAddress());
                    env.put("BLOCKCLOSET_JOIN_TOKEN", member.createJoinToken());
                }
                System.err.println("starting cluster node " + (i + 1) + " of " + n + " on " + host + "...");
                c.nodes.add(BlockClosetNode.start(jar, host, dataDir.resolve(host), log.apply(i), env));
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    List<BlockClosetNode> nodes() {
        return nodes;
    }

    @Override
    public void close() throws InterruptedException {
        // Killed, not stopped: the last nodes of a quorum cannot shut down cleanly once the others
        // are gone, and the data is deleted next anyway.
        for (BlockClosetNode n : nodes) {
            n.jvm().kill();
        }
    }
}
