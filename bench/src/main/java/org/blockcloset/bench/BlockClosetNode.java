package org.blockcloset.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Block Closet node started from {@code gateway/target/blockcloset.jar} as a separate process, on
 * free ports, with its data in a given directory; ready when its own health check answers 200.
 */
final class BlockClosetNode implements AutoCloseable {
    static final String ACCESS_KEY = "BCBENCHACCESSKEY0001";
    static final String SECRET_KEY = "bench-secret-key-for-the-benchmark-00000";

    private final ChildJvm jvm;
    private final URI endpoint;

    private BlockClosetNode(ChildJvm jvm, URI endpoint) {
        this.jvm = jvm;
        this.endpoint = endpoint;
    }

    static BlockClosetNode start(Path jar, Path dataDir, Path log) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int s3Port = FreePorts.next();
        int adminPort = FreePorts.next();
        Map<String, String> env = Map.of(
                "BLOCKCLOSET_DATA", dataDir.toString(),
                "BLOCKCLOSET_S3_PORT", Integer.toString(s3Port),
                "BLOCKCLOSET_ADMIN_PORT", Integer.toString(adminPort),
                "BLOCKCLOSET_KAFKA_PORT", Integer.toString(FreePorts.next()),
                "BLOCKCLOSET_KAFKA_CONTROLLER_PORT", Integer.toString(FreePorts.next()),
                "BLOCKCLOSET_ACCESS_KEY_ID", ACCESS_KEY,
                "BLOCKCLOSET_SECRET_ACCESS_KEY", SECRET_KEY,
                "BLOCKCLOSET_CAPACITY", "40GiB",
                "BLOCKCLOSET_BIND", "127.0.0.1");
        ChildJvm jvm = ChildJvm.start("Block Closet node", jar, List.of(), env, log);
        try {
            URI health = URI.create("http://127.0.0.1:" + adminPort + "/healthcheck");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            jvm.awaitReady(() -> healthy(http, health), Duration.ofSeconds(120));
        } catch (RuntimeException | InterruptedException e) {
            jvm.close();
            throw e;
        }
        return new BlockClosetNode(jvm, URI.create("http://127.0.0.1:" + s3Port));
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
