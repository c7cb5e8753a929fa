package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ops/local-cluster 3} as a person uses it: start, write, stop (SIGTERM, as Ctrl-C), start again
 * on the same data, where every node starts at once and waits for its log's quorum; every object is
 * back. Then a node is killed (-9): the launcher says which and how to start it again, and the two
 * others go on serving reads and writes.
 */
class LocalClusterIT {
    private static final Duration UP = Duration.ofMinutes(6);
    private Path folder;
    private Process launcher;
    private final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws Exception {
        stopLauncher();
        if (folder != null) {
            // The nodes' logs outlive the data, under target/it-logs, for a failure to be read after CI.
            Path keep = Path.of("target", "it-logs", "local-cluster");
            Files.createDirectories(keep);
            try (var logs = Files.list(folder.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Files.copy(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException noLogs) {
                // nothing started
            }
            TempDirs.delete(folder);
        }
    }

    @Test
    void theClusterComesBackAfterAStopAndSurvivesAKilledNode() throws Exception {
        folder = TempDirs.create("blockcloset-local-cluster-");
        start();
        String[] key = Files.readString(folder.resolve("access-key")).trim().split(" ");
        Map<String, byte[]> written = new LinkedHashMap<>();
        Random rnd = new Random(17);
        try (S3Client s3 = client(2, key)) {
            s3.createBucket(b -> b.bucket("photos"));
        }
        for (int i = 0; i < 24; i++) {
            byte[] body = ItSupport.random(rnd, 1000 + rnd.nextInt(300_000));
            String name = "holiday-" + i + ".jpg";
            try (S3Client s3 = client(2 + i % 3, key)) {
                s3.putObject(p -> p.bucket("photos").key(name), RequestBody.fromBytes(body));
            }
            written.put(name, body);
        }
        stopLauncher();
        // Each node stopped cleanly: a JVM writes its class archive (ADR 0017) only at a normal exit, after its
        // shutdown hooks ran, never when killed. (Node 1's log did not always show its last lines in CI: the logs
        // are kept under target/it-logs/local-cluster.) An archive torn by a crash is dropped at the next start.
        Path torn = null;
        for (String host : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
            try (var archives = Files.list(folder.resolve(host).resolve("class-cache"))) {
                List<Path> found = archives.filter(a -> a.toString().endsWith(".jsa.new")).toList();
                assertEquals(1, found.size(), host + " left one class archive: " + found);
                assertTrue(Files.exists(folder.resolve(host).resolve("class-cache").resolve("served")), host + " served before it stopped");
                torn = found.get(0);
            }
        }
        try (var f = java.nio.channels.FileChannel.open(torn, java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(f.size() / 2);
        }

        start();
        assertTrue(Files.readString(folder.resolve("logs").resolve("127.0.0.4.log")).contains("is damaged; starting without it"),
                "the launcher saw the torn archive");
        for (int node = 2; node <= 4; node++) {
            readAll(node, key, written);
        }

        long node2 = nodePid("127.0.0.3");
        new ProcessBuilder("kill", "-9", Long.toString(node2)).start().waitFor(10, TimeUnit.SECONDS);
        String said = awaitLine("exited", Duration.ofSeconds(30));
        assertTrue(said.contains("node 2 (127.0.0.3)") && said.contains("ops/local-cluster start 2"), said);
        assertTrue(launcher.isAlive(), "the launcher goes on with the other two");
        for (int node : new int[] {2, 4}) {
            readAll(node, key, written);
        }
        byte[] after = ItSupport.random(rnd, 50_000);
        try (S3Client s3 = client(4, key)) {
            s3.putObject(p -> p.bucket("photos").key("after-the-kill"), RequestBody.fromBytes(after));
        }
        try (S3Client s3 = client(2, key)) {
            assertArrayEquals(after, s3.getObjectAsBytes(g -> g.bucket("photos").key("after-the-kill")).asByteArray());
        }
    }

    private void start() throws Exception {
        output.clear();
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "ops", "local-cluster").toAbsolutePath().normalize().toString(), "3")
                .redirectErrorStream(true);
        pb.environment().put("LOCAL_CLUSTER_DATA", folder.toString());
        pb.environment().put("BLOCKCLOSET_JAR", Path.of("target", "blockcloset.jar").toAbsolutePath().toString());
        pb.environment().put("BLOCKCLOSET_JAVA_OPTS", "-Xmx" + TestCluster.HEAP + " -XX:+UseSerialGC");
        pb.environment().keySet().removeIf(k -> k.startsWith("BLOCKCLOSET_") && !k.equals("BLOCKCLOSET_JAR")
                && !k.equals("BLOCKCLOSET_JAVA_OPTS"));
        launcher = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[local-cluster] " + line);
                    output.add(line);
                }
            } catch (IOException e) {
                // the launcher is gone
            }
        }, "local-cluster-output");
        reader.setDaemon(true);
        reader.start();
        awaitLine("is up", UP);
    }

    /** Waits for a line of the launcher's output holding {@code text}; fails if it exits first or time runs out. */
    private String awaitLine(String text, Duration limit) throws Exception {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            String line = output.poll(500, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
            if (line == null && !launcher.isAlive() && output.isEmpty()) {
                throw new AssertionError("ops/local-cluster exited (" + launcher.exitValue() + ") before saying '" + text + "'");
            }
        }
        throw new AssertionError("ops/local-cluster did not say '" + text + "' within " + limit);
    }

    private void stopLauncher() throws Exception {
        if (launcher == null) {
            return;
        }
        List<ProcessHandle> nodes = new ArrayList<>(launcher.descendants().toList());
        launcher.destroy(); // SIGTERM, as Ctrl-C: the launcher stops every node
        boolean exited = launcher.waitFor(90, TimeUnit.SECONDS);
        for (ProcessHandle n : nodes) {
            n.onExit().get(30, TimeUnit.SECONDS);
        }
        if (!exited) {
            launcher.destroyForcibly();
            throw new AssertionError("ops/local-cluster did not stop within 90 s of SIGTERM");
        }
        launcher = null;
    }

    /** The pid of the node whose data directory is named {@code host}, from its environment. */
    private long nodePid(String host) throws IOException {
        for (ProcessHandle p : launcher.descendants().toList()) {
            Path environ = Path.of("/proc", Long.toString(p.pid()), "environ");
            Optional<String> data = Optional.empty();
            try {
                data = java.util.Arrays.stream(new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0"))
                        .filter(e -> e.startsWith("BLOCKCLOSET_DATA=")).findFirst();
            } catch (IOException gone) {
                continue;
            }
            if (data.isPresent() && data.get().endsWith("/" + host) && p.info().command().orElse("").endsWith("java")) {
                return p.pid();
            }
        }
        throw new AssertionError("no node process for " + host);
    }

    private static void readAll(int node, String[] key, Map<String, byte[]> written) {
        try (S3Client s3 = client(node, key)) {
            for (Map.Entry<String, byte[]> e : written.entrySet()) {
                assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("photos").key(e.getKey())).asByteArray(),
                        e.getKey() + " through 127.0.0." + node);
            }
            assertEquals(written.size(), s3.listObjectsV2(l -> l.bucket("photos").prefix("holiday-")).keyCount());
        }
    }

    private static S3Client client(int lastOctet, String[] key) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0." + lastOctet + ":9000"))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key[0], key[1])))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1))).build();
    }
}
