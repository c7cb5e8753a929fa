package org.blockcloset.gateway.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Small helpers the durability and bad-input integration tests share. */
final class ItSupport {
    private static final Pattern USED = Pattern.compile("(\\d+) of (\\d+) bytes used");
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");

    /** iproute2's {@code ip}; /usr/sbin may be missing from a non-login PATH. */
    static final String IP = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip" : "ip";

    private ItSupport() {
    }

    /** Where {@code needle} first occurs in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] random(Random rnd, int size) {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return b;
    }

    static String sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    static String sha256(byte[] data, int off, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, off, len);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(InputStream in) {
        try (in) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 << 10];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file of the block holding exactly {@code content}: {@code <data>/blocks/<2 hex>/<sha256>} (ADR 0003). */
    static Path blockFile(Node node, byte[] content, int off, int len) {
        String hex = sha256(content, off, len);
        return node.dataDir().resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The admin health check: status and body (whatever the status). */
    /**
     * Runs a real client tool (the aws cli, restic) with the test key, at most 180 s; fails the test
     * on a non-zero exit. The host's CA bundle settings, AWS profile and proxies do not leak into it.
     * Returns stdout and stderr.
     */
    static String runTool(List<String> cmd, Path workDir, Map<String, String> extraEnv, Path output)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("AWS_CA_BUNDLE");
        env.remove("REQUESTS_CA_BUNDLE");
        env.remove("AWS_PROFILE");
        env.keySet().removeIf(k -> k.equalsIgnoreCase("http_proxy") || k.equalsIgnoreCase("https_proxy"));
        env.put("AWS_ACCESS_KEY_ID", Node.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", Node.SECRET_KEY);
        env.putAll(extraEnv);
        pb.redirectOutput(output.toFile());
        Process p = pb.start();
        String what = Path.of(cmd.get(0)).getFileName() + " " + String.join(" ", cmd.subList(1, cmd.size()));
        if (!p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            org.junit.jupiter.api.Assertions.fail(what + " timed out:\n" + java.nio.file.Files.readString(output));
        }
        String text = java.nio.file.Files.readString(output);
        org.junit.jupiter.api.Assertions.assertEquals(0, p.exitValue(), what + " failed:\n" + text);
        return text;
    }

    static HttpResponse<String> health(Node node) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/healthcheck"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Bytes used and capacity, as the block-store health check reports them ("N of M bytes used"). */
    static long[] usedAndCapacity(Node node) {
        String body = health(node).body();
        Matcher m = USED.matcher(body);
        if (!m.find()) {
            throw new AssertionError("no \"N of M bytes used\" in the health check: " + body);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** The {@code <Code>} of an S3 error document, or null. */
    static String errorCode(String xml) {
        Matcher m = CODE.matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    /** A path-style client with the given credentials and no retries (a failure is seen as it happened). */
    static S3Client client(Node node, String accessKey, String secret) {
        return S3Client.builder()
                .endpointOverride(node.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(DefaultRetryStrategy.doNotRetry()).build())
                .build();
    }

    static S3Client clientWithoutRetries(Node node) {
        return client(node, Node.ACCESS_KEY, Node.SECRET_KEY);
    }
}
