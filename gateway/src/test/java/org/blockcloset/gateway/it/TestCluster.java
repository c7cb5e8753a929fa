package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blockcloset.storage.cluster.Join;
import org.blockcloset.storage.cluster.JoinClient;
import org.blockcloset.ledger.model.NodeAddress;

/**
 * Nodes of one cluster as separate processes, each on its own loopback address (127.0.0.2, .3, …)
 * with its own data directory and ports. The first creates the cluster; the others join it with a
 * token made on a member, as an admin would.
 */
final class TestCluster implements AutoCloseable {
    static final String HEAP = "256m";
    private final Path dir;
    private final boolean ownsDir;
    private final List<Node> nodes = new ArrayList<>();

    TestCluster() throws IOException {
        this.dir = TempDirs.create("blockcloset-cluster-");
        this.ownsDir = true;
    }

    /** Nodes keep their data under {@code dir} (a mount of the test's), which close() leaves alone. */
    private TestCluster(Path dir) {
        this.dir = dir;
        this.ownsDir = false;
    }

    static String host(int i) {
        return "127.0.0." + (i + 2);
    }

    Node startFirst(Map<String, String> env) throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.putIfAbsent("NODE_HEAP", HEAP);
        Node n = Node.startAt(host(0), dir.resolve(host(0)), e);
        nodes.add(n);
        return n;
    }

    /** Starts the next node, joined through {@code member} with a fresh token; checks the token is then spent. */
    Node join(Node member, Map<String, String> env) throws Exception {
        JsonNode token = AdminApi.post(member, "/api/join-tokens");
        assertEquals(201, token.path("status").asInt(), token::toString);
        assertTrue(token.path("command").asText().contains("BLOCKCLOSET_JOIN=" + member.joinAddress()), token::toString);
        String host = host(nodes.size());
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("BLOCKCLOSET_JOIN", member.joinAddress());
        // The second node gets its token in its environment; later ones find it where install.sh leaves
        // it, in <data>/join-token, which the node deletes once it joined.
        Path tokenFile = dir.resolve(host).resolve("join-token");
        boolean fromFile = nodes.size() >= 2;
        if (fromFile) {
            java.nio.file.Files.createDirectories(tokenFile.getParent());
            java.nio.file.Files.writeString(tokenFile, token.path("token").asText() + "\n");
        } else {
            e.put("BLOCKCLOSET_JOIN_TOKEN", token.path("token").asText());
        }
        e.putIfAbsent("NODE_HEAP", HEAP);
        Node n = Node.startAt(host, dir.resolve(host), e);
        nodes.add(n);
        if (fromFile) {
            assertFalse(java.nio.file.Files.exists(tokenFile), "the node deleted its used join token");
        }
        IOException reused = assertThrows(IOException.class, () -> JoinClient.join(member.joinAddress(), token.path("token").asText(),
                new Join.Request("node-intruder", new NodeAddress("127.0.0.99", 1, 2, 3, 4, 5), Set.of("storage"), "", 1)));
        assertTrue(reused.getMessage().contains("403"), reused.getMessage());
        return n;
    }

    /** A cluster of {@code n} fresh nodes. */
    static TestCluster of(int n, Map<String, String> env) throws Exception {
        return of(n, i -> env);
    }

    /** A cluster of {@code n} fresh nodes, node {@code i} started with {@code env.apply(i)}. */
    static TestCluster of(int n, java.util.function.IntFunction<Map<String, String>> env) throws Exception {
        return start(new TestCluster(), n, env);
    }

    /** A cluster of {@code n} fresh nodes whose data directories are under {@code dataRoot}. */
    static TestCluster under(Path dataRoot, int n, Map<String, String> env) throws Exception {
        return start(new TestCluster(dataRoot), n, i -> env);
    }

    private static TestCluster start(TestCluster c, int n, java.util.function.IntFunction<Map<String, String>> env) throws Exception {
        try {
            Node first = c.startFirst(env.apply(0));
            for (int i = 1; i < n; i++) {
                c.join(i == 1 ? first : c.nodes.get(i - 1), env.apply(i));
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    Node node(int i) {
        return nodes.get(i);
    }

    @Override
    public void close() throws Exception {
        try {
            for (Node n : nodes) {
                n.kill(); // the last nodes of a quorum cannot shut down cleanly once the others are gone
            }
        } finally {
            if (ownsDir) {
                TempDirs.delete(dir);
            }
        }
    }
}
