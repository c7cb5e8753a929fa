package org.blockcloset.gateway.cluster;

import org.blockcloset.storage.cluster.Redundancy;
import org.blockcloset.gateway.settings.NodeSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code ops/blockcloset status [--json] [--node ADMIN_URL]}: the cluster as one node sees it (the
 * local node by default), from its admin API ({@code GET /api/cluster}), authenticated with the
 * admin key in BLOCKCLOSET_ACCESS_KEY_ID / BLOCKCLOSET_SECRET_ACCESS_KEY. Exit status 0 whenever the
 * node answered, whatever the cluster's health (a node still starting answers with what it waits
 * for, {@code {"starting": "..."}} in JSON); 1 when it could not ask.
 */
public final class StatusCommand extends Command {
    private static final ObjectMapper JSON = new ObjectMapper();

    public StatusCommand() {
        super("status", "Print the cluster as a node sees it: nodes, under-replicated and lost blocks, running tasks");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--json").action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
                .help("print one JSON object (underReplicatedBlocks, lostBlocks, nodes with id, address, state, ...)");
        subparser.addArgument("--node").help("the node's admin URL (default: this host's, from BLOCKCLOSET_ADMIN_PORT)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        String node = adminUrl(namespace.getString("node"));
        HttpResponse<String> r = call(node, "GET", "/api/cluster");
        JsonNode c = JSON.readTree(r.body());
        if (r.statusCode() == 503 && c.has("starting")) {
            // Not serving yet (waiting for the log's quorum, restoring its views): it says what it waits for.
            System.out.println(namespace.getBoolean("json") ? JSON.writeValueAsString(c)
                    : "Node " + node + " is starting: " + c.path("starting").asText());
            return;
        }
        if (namespace.getBoolean("json")) {
            System.out.println(JSON.writeValueAsString(c));
        } else {
            print(System.out, node, c);
        }
    }

    /** The admin URL given, or this host's (BLOCKCLOSET_ADMIN_BIND / BLOCKCLOSET_ADMIN_PORT). */
    static String adminUrl(String given) {
        if (given != null && !given.isBlank()) {
            return given.replaceAll("/+$", "");
        }
        Map<String, String> env = System.getenv();
        String bind = NodeSettings.get("BLOCKCLOSET_ADMIN_BIND").value(env);
        String scheme = NodeSettings.get("BLOCKCLOSET_TLS_CERT").value(env).isBlank() ? "http" : "https";
        return scheme + "://" + (bind.equals("0.0.0.0") ? "127.0.0.1" : bind) + ":" + NodeSettings.get("BLOCKCLOSET_ADMIN_PORT").value(env);
    }

    /**
     * The client for this host's node: over TLS (BLOCKCLOSET_TLS_CERT) it trusts exactly the node's
     * certificate, the file the setting names or the one the node made (a pin, so no host-name check:
     * the certificate may be for the host's LAN name and the call goes to 127.0.0.1). For a node
     * given with --node the JVM's usual trust applies.
     */
    private static HttpClient client(String node, boolean given) throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        Map<String, String> env = System.getenv();
        String cert = NodeSettings.get("BLOCKCLOSET_TLS_CERT").value(env).trim();
        if (!given && node.startsWith("https://") && !cert.isEmpty()) {
            java.nio.file.Path file = cert.equals(org.blockcloset.storage.node.NodeTls.SELF_SIGNED)
                    ? org.blockcloset.storage.node.NodeTls.selfSignedCertificate(java.nio.file.Path.of(NodeSettings.get("BLOCKCLOSET_DATA").value(env)))
                    : java.nio.file.Path.of(cert);
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            b.sslContext(org.blockcloset.storage.node.NodeTls.pinning(file));
        }
        return b.build();
    }

    /**
     * Calls the node's admin API as the admin key in BLOCKCLOSET_ACCESS_KEY_ID /
     * BLOCKCLOSET_SECRET_ACCESS_KEY (or the bootstrap key generated beside BLOCKCLOSET_DATA); exits
     * with status 1 if the node cannot be asked or refuses the key.
     */
    static HttpResponse<String> call(String node, String method, String path) throws IOException, InterruptedException {
        Map<String, String> env = System.getenv();
        String id = env.get("BLOCKCLOSET_ACCESS_KEY_ID");
        String secret = env.get("BLOCKCLOSET_SECRET_ACCESS_KEY");
        java.nio.file.Path generated = java.nio.file.Path.of(NodeSettings.get("BLOCKCLOSET_DATA").value(env), "bootstrap-key.properties");
        if ((id == null || id.isBlank()) && java.nio.file.Files.isReadable(generated)) {
            // A single host whose bootstrap key was generated: the key it printed, kept beside its data.
            java.util.Properties p = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(generated)) {
                p.load(in);
            }
            id = p.getProperty("accessKeyId");
            secret = p.getProperty("secretAccessKey");
        }
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            fail("set BLOCKCLOSET_ACCESS_KEY_ID and BLOCKCLOSET_SECRET_ACCESS_KEY to an admin key (the bootstrap key is in "
                    + "<data>/bootstrap-key.properties)");
        }
        HttpResponse<String> r = null;
        try {
            HttpClient http = client(node, !node.equals(adminUrl(null)));
            URI uri = URI.create(node + path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            // Signed as S3 requests are: the secret itself never crosses the wire.
            org.blockcloset.gateway.auth.RequestSigner.signAdmin(method, uri, new byte[0], id, secret,
                    NodeSettings.get("BLOCKCLOSET_REGION").value(env), java.time.Instant.now()).forEach(b::header);
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            fail("cannot reach " + node + ": " + e);
        }
        if (r.statusCode() == 401) {
            fail(node + " refused the admin key (401)");
        }
        if (method.equals("GET") && r.statusCode() != 200 && !(r.statusCode() == 503 && r.body().contains("\"starting\""))) {
            fail(node + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    static void fail(String message) {
        System.err.println("blockcloset: " + message);
        System.exit(1);
    }

    static void print(PrintStream out, String node, JsonNode c) {
        JsonNode layout = c.path("layout");
        out.printf(Locale.ROOT, "Cluster as %s sees it: %d node(s), layout v%d keeping %d cop%s, %s usable%n", node,
                c.path("nodes").size(), layout.path("version").asInt(), layout.path("replication").asInt(),
                layout.path("replication").asInt() == 1 ? "y" : "ies", bytes(layout.path("usableBytes").asLong()));
        out.printf(Locale.ROOT, "%-38s %-15s %-8s %-8s %-21s %10s %10s  %s%n", "ID", "ADDRESS", "ZONE", "STATE", "SINCE",
                "CAPACITY", "USED", "REPAIR");
        for (JsonNode n : c.path("nodes")) {
            String state = n.path("state").asText() + (n.has("failedSince") ? "*" : "");
            JsonNode repair = n.path("repair");
            String task = repair.isMissingNode() ? "-" : repair.path("blocksLeft").asLong() > 0
                    ? String.format(Locale.ROOT, "%d blocks (%s) left at %s/s, ETA %s", repair.path("blocksLeft").asLong(),
                            bytes(repair.path("bytesLeft").asLong()), bytes(repair.path("bytesPerSecond").asLong()),
                            eta(repair.path("etaSeconds").asLong()))
                    : repair.path("state").asText("-");
            out.printf(Locale.ROOT, "%-38s %-15s %-8s %-8s %-21s %10s %10s  %s%n", n.path("id").asText(),
                    n.path("address").asText(), n.path("zone").asText("").isEmpty() ? "-" : n.path("zone").asText(), state,
                    n.path("since").asText("").replaceAll("\\.\\d+Z$", "Z"), bytes(n.path("capacity").asLong()),
                    n.has("used") ? bytes(n.path("used").asLong()) : "?", task);
        }
        out.println(c.path("redundancy").path("line").asText("Redundancy: unknown (the node did not say)"));
        out.printf(Locale.ROOT, "Under-replicated blocks: %d   Unavailable (no copy on a running node): %d   Left to copy: %s%n",
                c.path("underReplicatedBlocks").asLong(), c.path("lostBlocks").asLong(), bytes(c.path("repairBytesLeft").asLong()));
        if (c.path("nodes").findValues("failedSince").size() > 0) {
            out.println("* recorded as failed: down past BLOCKCLOSET_REPAIR_GRACE; its blocks are copied to the others");
        }
    }

    private static String eta(long seconds) {
        return seconds < 0 ? "?" : seconds < 120 ? seconds + " s" : (seconds / 60) + " min";
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
