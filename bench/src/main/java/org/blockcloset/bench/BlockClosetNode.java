package org.blockcloset.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A Block Closet node started from {@code gateway/target/blockcloset.jar} as a separate process, on
 * free ports, with its data in a given directory; ready when its own health check answers 200.
 */
final class BlockClosetNode implements AutoCloseable {
    static final String ACCESS_KEY = "BCBENCHACCESSKEY0001";
    static final String SECRET_KEY = "bench-secret-key-for-the-benchmark-00000";

    private final ChildJvm jvm;
    private final URI endpoint;
    private final String host;
    private final int adminPort;
    private final int clusterPort;
    private final Path jar;
    private final Path log;
    private final Map<String, String> env;
    private final boolean viaLauncher;

    private BlockClosetNode(ChildJvm jvm, String host, int s3Port, int adminPort, int clusterPort, Path jar, Path log,
            Map<String, String> env, boolean viaLauncher) {
        this.jvm = jvm;
        this.endpoint = URI.create("http://" + host + ":" + s3Port);
        this.host = host;
        this.adminPort = adminPort;
        this.clusterPort = clusterPort;
        this.jar = jar;
        this.log = log;
        this.env = Map.copyOf(env);
        this.viaLauncher = viaLauncher;
    }

    /** A single node on 127.0.0.1. */
    static BlockClosetNode start(Path jar, Path dataDir, Path log) throws IOException, InterruptedException {
        return start(jar, "127.0.0.1", dataDir, log, Map.of());
    }

    /**
     * A single node on 127.0.0.1 started through the launcher script, as systemd and
     * {@code ops/blockcloset up} start one (its start times include what the script adds and saves).
     */
    static BlockClosetNode startAsLaunchersDo(Path jar, Path dataDir, Path log) throws IOException, InterruptedException {
        return start(jar, "127.0.0.1", dataDir, log, Map.of(), true);
    }

    /**
     * A node listening on {@code host} only (a cluster's nodes each get their own loopback address,
     * as hosts of a LAN would), with {@code extraEnv} on top of the defaults (BLOCKCLOSET_JOIN, …).
     */
    static BlockClosetNode start(Path jar, String host, Path dataDir, Path log, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        return start(jar, host, dataDir, log, extraEnv, false);
    }

    private static BlockClosetNode start(Path jar, String host, Path dataDir, Path log, Map<String, String> extraEnv,
            boolean viaLauncher) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int s3Port = FreePorts.next();
        int adminPort = FreePorts.next();
        int clusterPort = FreePorts.next();
        Map<String, String> env = new HashMap<>(Map.of(
                "BLOCKCLOSET_DATA", dataDir.toString(),
                "BLOCKCLOSET_S3_PORT", Integer.toString(s3Port),
                "BLOCKCLOSET_ADMIN_PORT", Integer.toString(adminPort),
                "BLOCKCLOSET_CLUSTER_PORT", Integer.toString(clusterPort),
                "BLOCKCLOSET_KAFKA_PORT", Integer.toString(FreePorts.next()),
                "BLOCKCLOSET_KAFKA_CONTROLLER_PORT", Integer.toString(FreePorts.next()),
                "BLOCKCLOSET_ACCESS_KEY_ID", ACCESS_KEY,
                "BLOCKCLOSET_SECRET_ACCESS_KEY", SECRET_KEY,
                "BLOCKCLOSET_CAPACITY", "40GiB"));
        for (String bind : List.of("BLOCKCLOSET_BIND", "BLOCKCLOSET_ADMIN_BIND", "BLOCKCLOSET_CLUSTER_BIND",
                "BLOCKCLOSET_ADVERTISE")) {
            env.put(bind, host);
        }
        env.putAll(extraEnv);
        return launch(jar, host, s3Port, adminPort, clusterPort, log, env, viaLauncher);
    }

    private static BlockClosetNode launch(Path jar, String host, int s3Port, int adminPort, int clusterPort, Path log,
            Map<String, String> env, boolean viaLauncher) throws IOException, InterruptedException {
        String name = "Block Closet node " + host;
        ChildJvm jvm = viaLauncher ? ChildJvm.startNode(name, jar, env, log) : ChildJvm.start(name, jar, List.of(), env, log);
        try {
            URI health = URI.create("http://" + host + ":" + adminPort + "/healthcheck");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            jvm.awaitReady(() -> healthy(http, health), Duration.ofSeconds(300));
        } catch (RuntimeException | InterruptedException e) {
            jvm.close();
            throw e;
        }
        return new BlockClosetNode(jvm, host, s3Port, adminPort, clusterPort, jar, log, env, viaLauncher);
    }

    /** The same node (data, ports, settings) started again once this one's process is gone; returns when healthy. */
    BlockClosetNode relaunch() throws IOException, InterruptedException {
        if (jvm.alive()) {
            throw new IllegalStateException("stop or kill " + host + " first");
        }
        return launch(jar, host, endpoint.getPort(), adminPort, clusterPort, log, env, viaLauncher);
    }

    /** A single-use join token made through this node's admin API, as an admin would. */
    String createJoinToken() throws IOException, InterruptedException {
        HttpResponse<String> r = admin("POST", "/api/join-tokens");
        Matcher m = TOKEN.matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
            throw new IOException("join token: HTTP " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    /**
     * A call to this node's admin API with the bench's admin key, signed with SigV4 as an S3 request
     * is (the admin API takes nothing else), by the AWS SDK's own signer.
     */
    HttpResponse<String> admin(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create(adminUrl() + path);
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri).build();
        Map<String, List<String>> signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY)).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(new byte[0]))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "blockcloset-admin")).request().headers();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        signed.forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return ADMIN_HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Headers java.net.http sets itself and refuses from callers. */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("host", "content-length", "connection", "expect", "upgrade");
    private static final HttpClient ADMIN_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    /** {@code host:clusterPort}, what another node's BLOCKCLOSET_JOIN takes. */
    String joinAddress() {
        return host + ":" + clusterPort;
    }

    String host() {
        return host;
    }

    String adminUrl() {
        return "http://" + host + ":" + adminPort;
    }

    private static boolean healthy(HttpClient http, URI health) {
        try {
            HttpRequest req = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    ChildJvm jvm() {
        return jvm;
    }

    @Override
    public void close() throws InterruptedException {
        jvm.close();
    }
}
