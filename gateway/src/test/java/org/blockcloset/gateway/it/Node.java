package org.blockcloset.gateway.it;

import java.io.IOException;
import java.net.URI;
import org.blockcloset.storage.node.NodeTls;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.kafka.Ports;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A Block Closet node started from the packaged artifact ({@code gateway/target/blockcloset.jar})
 * as a separate process, on free ports, with its data in a given directory. Readiness is the
 * node's own health check, never a sleep.
 */
public final class Node implements AutoCloseable {
    public static final String ACCESS_KEY = "BCTESTACCESSKEY00001";
    public static final String SECRET_KEY = "test-secret-key-for-integration-tests-00";
    /** glibc's resolver options every launcher gives a node (ReleaseFilesTest checks they agree; ADR 0009). */
    public static final String RES_OPTIONS = "timeout:1 attempts:1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Where this start's output begins in {@link #log()} (a relaunch appends). */
    private long logOffset;

    private final Path dataDir;
    private final String host;
    private final Map<String, String> env;
    private final int s3Port;
    private final int adminPort;
    private final int clusterPort;
    private final int kafkaPort;
    private Process process;

    private Node(String host, Path dataDir, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        this.host = host;
        this.s3Port = Ports.freePort();
        this.adminPort = Ports.freePort();
        this.clusterPort = Ports.freePort();
        this.kafkaPort = Ports.freePort();
        this.env = new HashMap<>();
        env.put("BLOCKCLOSET_DATA", dataDir.toString());
        env.put("BLOCKCLOSET_S3_PORT", Integer.toString(s3Port));
        env.put("BLOCKCLOSET_ADMIN_PORT", Integer.toString(adminPort));
        env.put("BLOCKCLOSET_CLUSTER_PORT", Integer.toString(clusterPort));
        env.put("BLOCKCLOSET_KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("BLOCKCLOSET_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.freePort()));
        env.put("BLOCKCLOSET_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("BLOCKCLOSET_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("BLOCKCLOSET_BIND", host);
        env.put("BLOCKCLOSET_ADMIN_BIND", host);
        env.put("BLOCKCLOSET_CLUSTER_BIND", host);
        env.put("BLOCKCLOSET_ADVERTISE", host);
        env.putAll(extraEnv);
    }

    /** Starts a node and waits until its health check answers 200. */
    public static Node start(Path dataDir, Map<String, String> extraEnv) throws IOException, InterruptedException {
        return startAt("127.0.0.1", dataDir, extraEnv);
    }

    /** A node on its own loopback address (127.0.0.2, 127.0.0.3, …), as a host of a cluster. */
    public static Node startAt(String host, Path dataDir, Map<String, String> extraEnv) throws IOException, InterruptedException {
        Node n = new Node(host, dataDir, extraEnv);
        n.launch();
        return n;
    }

    /** A node on {@code host} that is not started yet ({@link #launchAsync()}, {@link #relaunch()}). */
    public static Node at(String host, Path dataDir, Map<String, String> extraEnv) {
        return new Node(host, dataDir, extraEnv);
    }

    public static Node start(Path dataDir) throws IOException, InterruptedException {
        return start(dataDir, Map.of());
    }

    /** Starts the process without waiting for it to be healthy (a node whose peers start later). */
    public void launchAsync() throws IOException {
        Files.createDirectories(dataDir);
        Files.createDirectories(log().getParent());
        ProcessBuilder pb = new ProcessBuilder(command());
        // As ops/blockcloset runs a node: a dropped reverse DNS query costs 1 s, not glibc's 5 (ADR 0009).
        pb.environment().putIfAbsent("RES_OPTIONS", RES_OPTIONS);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        logOffset = Files.exists(log()) ? Files.size(log()) : 0;
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        process = pb.start();
    }

    /** The node's command line; {@code NODE_NETNS} runs it in that network namespace (ip netns exec execs it, same pid). */
    private List<String> command() {
        Path jar = Path.of("target", "blockcloset.jar").toAbsolutePath();
        List<String> cmd = new ArrayList<>();
        if (env.containsKey("NODE_NETNS")) {
            cmd.addAll(List.of(ItSupport.IP, "netns", "exec", env.get("NODE_NETNS")));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + env.getOrDefault("NODE_HEAP", "384m"), "-XX:+UseSerialGC"));
        // NODE_JAVA_OPTS (the test JVM's environment): extra JVM options for every node, e.g. -Ddw.logging overrides
        // to debug a failure; unset in CI.
        String extra = System.getenv("NODE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(ClassArchive.options(this));
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /**
     * The class-data-sharing archive the test nodes share (ADR 0017, as the launchers do for a real
     * node): the first node started in a test JVM writes it at its clean stop, under a name of its
     * own, renamed once that node has exited; every later node maps it (about 3 s off each start).
     */
    static final class ClassArchive {
        private static final Path DIR = Path.of("target", "it-class-archive").toAbsolutePath();
        private static Node arming;
        private static Path pending;

        private ClassArchive() {
        }

        /** One archive per build of the jar (the JVM would refuse one made from another). */
        private static Path archive() {
            try {
                Path jar = Path.of("target", "blockcloset.jar");
                return DIR.resolve("node-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + "-"
                        + Integer.toHexString(System.getProperty("java.home").hashCode()) + ".jsa");
            } catch (IOException e) {
                return DIR.resolve("no-jar.jsa");
            }
        }

        static synchronized List<String> options(Node node) {
            Path archive = archive();
            if (Files.exists(archive)) {
                return List.of("-XX:SharedArchiveFile=" + archive);
            }
            if (arming != null && (arming.process == null || !arming.process.isAlive()) && arming != node) {
                exited(arming, false); // it died without a clean stop: no archive from it
            }
            if (arming != null || node.env.containsKey("NODE_NETNS")) {
                return List.of();
            }
            try {
                Files.createDirectories(DIR);
            } catch (IOException e) {
                return List.of();
            }
            arming = node;
            pending = DIR.resolve("node-" + ProcessHandle.current().pid() + ".jsa.tmp");
            return List.of("-XX:ArchiveClassesAtExit=" + pending);
        }

        /** {@code node}'s process is gone: a clean exit left a whole archive, which now serves every start. */
        static synchronized void exited(Node node, boolean clean) {
            if (node != arming) {
                return;
            }
            arming = null;
            try {
                if (clean && Files.size(pending) > 0) {
                    Files.move(pending, archive(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(pending);
                }
            } catch (IOException notWritten) {
                // no archive this time: the next node arms another
            }
        }
    }

    /** Sends a signal to the node's process (STOP and CONT pause and resume it). */
    public void signal(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void launch() throws IOException, InterruptedException {
        Path jar = Path.of("target", "blockcloset.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the node first (mvn verify runs package before the ITs): " + jar);
        }
        Files.createDirectories(dataDir);
        ProcessBuilder pb = new ProcessBuilder(command());
        // As ops/blockcloset runs a node: a dropped reverse DNS query costs 1 s, not glibc's 5 (ADR 0009).
        pb.environment().putIfAbsent("RES_OPTIONS", RES_OPTIONS);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Files.createDirectories(log().getParent());
        logOffset = Files.exists(log()) ? Files.size(log()) : 0;
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        process = pb.start();
        try {
            awaitHealthy();
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly(); // a node that never became healthy must not outlive its test
            throw e;
        }
    }

    public void awaitHealthy() throws InterruptedException, IOException {
        HttpClient http = tls() ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node exited with " + process.exitValue() + "; see " + log());
            }
            if (http == null && Files.exists(certificateFile())) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(NodeTls.pinning(certificateFile())).build();
            }
            try {
                if (http == null) {
                    throw new IOException("no certificate yet");
                }
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/healthcheck"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        String threads = threadDump();
        throw new IllegalStateException("node not healthy after " + START_TIMEOUT + "; see " + log() + threads
                + " | " + digest());
    }

    /**
     * What a stuck start was doing, on one line (CI shows a failed test's message, not the node's log):
     * the log's last lines and the warnings since this start, and the node's own threads' top frames.
     */
    private String digest() {
        StringBuilder out = new StringBuilder();
        try {
            byte[] all = Files.readAllBytes(log());
            int from = (int) Math.min(logOffset, all.length);
            List<String> lines = new String(all, from, all.length - from, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .lines().toList();
            int start = 0;
            lines.subList(start, lines.size()).stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .limit(6).forEach(l -> out.append("warn: ").append(abbreviate(l)).append(" | "));
            lines.subList(Math.max(start, lines.size() - 6), lines.size())
                    .forEach(l -> out.append("last: ").append(abbreviate(l)).append(" | "));
        } catch (IOException | RuntimeException e) {
            out.append("no log: ").append(e).append(" | ");
        }
        try {
            Path dump = log().resolveSibling(log().getFileName() + ".threads.txt");
            String thread = null;
            int frames = 0;
            for (String l : Files.readAllLines(dump)) {
                if (l.startsWith("\"")) {
                    thread = l.substring(1, Math.max(1, l.indexOf('"', 1)));
                    frames = 0;
                } else if (thread != null && l.trim().startsWith("at org.blockcloset") && frames++ < 2) {
                    out.append("thread ").append(thread).append(": ").append(l.trim()).append(" | ");
                }
            }
        } catch (IOException | RuntimeException e) {
            out.append("no threads: ").append(e);
        }
        return out.toString().replace('\n', ' ');
    }

    private static String abbreviate(String line) {
        return line.length() <= 220 ? line : line.substring(0, 220) + "…";
    }

    /** The stuck node's threads, saved beside its log (jstack, when the JDK has it): where a start hangs. */
    private String threadDump() {
        Path dump = log().resolveSibling(log().getFileName() + ".threads.txt");
        try {
            Process jstack = new ProcessBuilder("jstack", Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            if (!jstack.waitFor(30, TimeUnit.SECONDS)) {
                jstack.destroyForcibly();
            }
            return " and its threads in " + dump;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return " (no thread dump: " + e + ")";
        }
    }

    /** The node's output, kept under target/it-logs after the test's temp dir is gone. */
    public Path log() {
        return Path.of("target", "it-logs", "node-" + host + "-" + s3Port + ".log").toAbsolutePath();
    }

    public URI endpoint() {
        return URI.create(scheme() + "://" + host + ":" + s3Port);
    }

    /** The S3 and admin ports speak TLS (BLOCKCLOSET_TLS_CERT). */
    public boolean tls() {
        return !env.getOrDefault("BLOCKCLOSET_TLS_CERT", "").isBlank();
    }

    private String scheme() {
        return tls() ? "https" : "http";
    }

    /** The certificate the node presents over TLS (the one it made, or the file BLOCKCLOSET_TLS_CERT names). */
    public Path certificateFile() {
        String cert = env.getOrDefault("BLOCKCLOSET_TLS_CERT", "");
        return cert.equals(NodeTls.SELF_SIGNED) ? NodeTls.selfSignedCertificate(dataDir) : Path.of(cert);
    }

    public int s3Port() {
        return s3Port;
    }

    public int adminPort() {
        return adminPort;
    }

    public String adminUrl() {
        return scheme() + "://" + host + ":" + adminPort;
    }

    /** The cluster port (node-to-node calls). */
    public URI clusterUrl() {
        return URI.create("https://" + host + ":" + clusterPort);
    }

    /** The embedded log's broker listener, {@code host:port}. */
    public String kafkaAddress() {
        return host + ":" + kafkaPort;
    }

    public String host() {
        return host;
    }

    /** {@code host:clusterPort}, what BLOCKCLOSET_JOIN takes. */
    public String joinAddress() {
        return host + ":" + clusterPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    /** An AWS SDK v2 client with default settings (checksums on), path-style. */
    public S3Client client() {
        var b = S3Client.builder();
        if (tls()) {
            // The SDK's Apache client trusting exactly this node's certificate (it checks the host name too).
            b.httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder().tlsTrustManagersProvider(() -> {
                try {
                    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                    ks.load(null, null);
                    try (var in = Files.newInputStream(certificateFile())) {
                        ks.setCertificateEntry("node", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
                    }
                    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(ks);
                    return tmf.getTrustManagers();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        return b
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM and wait: a clean stop. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor();
            }
            // A clean stop: the JVM's exit after SIGTERM (143) or a normal one.
            ClassArchive.exited(this, exited && (process.exitValue() == 143 || process.exitValue() == 0));
        }
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
            ClassArchive.exited(this, false);
        }
    }

    /** Changes a setting for the next (re)start. */
    public void setEnv(String name, String value) {
        env.put(name, value);
    }

    /** Drops a setting for the next (re)start. */
    public void removeEnv(String name) {
        env.remove(name);
    }

    /** Starts the node again on the same directory and ports. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Starts the node again after {@link #kill()} (same directory and ports). */
    public void relaunch() throws IOException, InterruptedException {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
