package org.blockcloset.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The peer: S3Proxy (a Java S3 server) with the jclouds filesystem backend, started as a separate
 * process from its self-contained jar. Its filesystem store writes through the page cache and never
 * fsyncs, so an acknowledged write can be lost on power failure: its figures are an upper bound for
 * a non-durable Java S3 server, not a like-for-like durable peer.
 */
final class S3ProxyPeer implements AutoCloseable {
    static final String NOTE = "S3Proxy: filesystem backend, no fsync (non-durable)";
    static final String ACCESS_KEY = "S3PROXYBENCHKEY00001";
    static final String SECRET_KEY = "s3proxy-bench-secret-key-000000000000000";

    private final ChildJvm jvm;
    private final URI endpoint;

    private S3ProxyPeer(ChildJvm jvm, URI endpoint) {
        this.jvm = jvm;
        this.endpoint = endpoint;
    }

    static S3ProxyPeer start(Path jar, Path dataDir, Path log) throws IOException, InterruptedException {
        Files.createDirectories(dataDir.resolve("blobs"));
        URI endpoint = URI.create("http://127.0.0.1:" + FreePorts.next());
        Path props = dataDir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dataDir.resolve("blobs"),
                ""));
        ChildJvm jvm = ChildJvm.start("S3Proxy", jar, List.of("--properties", props.toString()), Map.of(), log);
        try (S3Client probe = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            jvm.awaitReady(() -> answers(probe), Duration.ofSeconds(60));
        } catch (RuntimeException | InterruptedException e) {
            jvm.close();
            throw e;
        }
        return new S3ProxyPeer(jvm, endpoint);
    }

    private static boolean answers(S3Client probe) {
        try {
            probe.listBuckets();
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** "S3Proxy 2.9.0", from the jar's manifest. */
    static String version(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String v = m == null ? null : m.getMainAttributes().getValue("Implementation-Version");
            return "S3Proxy " + (v == null ? "(unknown version)" : v);
        } catch (IOException e) {
            return "S3Proxy (unknown version)";
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
