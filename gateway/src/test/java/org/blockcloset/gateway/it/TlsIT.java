package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.blockcloset.storage.node.NodeTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * TLS on the S3 and admin ports (issue 16): a node with {@code BLOCKCLOSET_TLS_CERT=self-signed}
 * makes its certificate once, prints its fingerprint, serves S3 (the AWS SDK, the aws cli) and the
 * console only over TLS, and keeps the same certificate across a restart; plain HTTP gets nothing.
 */
class TlsIT {
    private static final Path AWS = Path.of("/usr/bin/aws");

    @TempDir
    Path dir;

    @Test
    void aNodeWithASelfSignedCertificateServesS3AndTheConsoleOnlyOverTls() throws Exception {
        try (Node node = Node.start(dir.resolve("node"), Map.of("BLOCKCLOSET_TLS_CERT", NodeTls.SELF_SIGNED))) {
            String fingerprint = fingerprint(node.certificateFile());
            String log = Files.readString(node.log());
            assertTrue(log.contains("https://127.0.0.1:" + node.s3Port()) && log.contains("SHA-256 " + fingerprint),
                    "the banner gives the https endpoint and the certificate's fingerprint");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    node.certificateFile().resolveSibling("self-signed-key.pem"))), "the key is the node's own");

            byte[] body = ItSupport.random(new Random(5), 3 << 20);
            try (S3Client s3 = node.client()) {
                s3.createBucket(b -> b.bucket("secure"));
                s3.putObject(p -> p.bucket("secure").key("photo.jpg"), RequestBody.fromBytes(body));
                assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("secure").key("photo.jpg")).asByteArray());
            }
            if (Files.isExecutable(AWS)) {
                Path work = Files.createDirectories(dir.resolve("work"));
                String listed = ItSupport.runTool(List.of(AWS.toString(), "--endpoint-url", node.endpoint().toString(),
                        "--ca-bundle", node.certificateFile().toString(), "s3", "ls", "s3://secure/"), work,
                        Map.of("AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", dir.resolve("none").toString(),
                                "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString(), "AWS_EC2_METADATA_DISABLED", "true"),
                        dir.resolve("aws-output.txt"));
                assertTrue(listed.contains(" " + body.length + " photo.jpg"), "the aws cli over TLS, verifying the certificate: " + listed);
            } else if ("true".equals(System.getenv("CI"))) {
                fail("the aws cli is missing at " + AWS);
            }

            HttpClient pinned = HttpClient.newBuilder().sslContext(NodeTls.pinning(node.certificateFile()))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> login = pinned.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/console/login")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(login.statusCode() == 200 || login.statusCode() == 302, "the console over TLS: " + login.statusCode());

            // ops/blockcloset status on the node's host, with the node's settings: https, trusting exactly its certificate.
            ProcessBuilder status = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                    "-jar", Path.of("target", "blockcloset.jar").toAbsolutePath().toString(), "status", "--json").redirectErrorStream(true);
            status.environment().putAll(Map.of("BLOCKCLOSET_TLS_CERT", NodeTls.SELF_SIGNED, "BLOCKCLOSET_DATA", dir.resolve("node").toString(),
                    "BLOCKCLOSET_ADMIN_BIND", "127.0.0.1", "BLOCKCLOSET_ADMIN_PORT", Integer.toString(node.adminPort()),
                    "BLOCKCLOSET_ACCESS_KEY_ID", Node.ACCESS_KEY, "BLOCKCLOSET_SECRET_ACCESS_KEY", Node.SECRET_KEY));
            Process p = status.start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "status finished");
            assertEquals(0, p.exitValue(), said);
            assertTrue(said.contains("\"nodes\""), said);

            for (int port : new int[] {node.s3Port(), node.adminPort()}) {
                String answer = plainHttp(port, "GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                assertFalse(answer.startsWith("HTTP/1.1 200") || answer.contains("ListAllMyBucketsResult") || answer.contains("healthy"),
                        "plain HTTP on port " + port + " gets nothing but a refusal: " + answer);
            }

            node.restart();
            assertEquals(fingerprint, fingerprint(node.certificateFile()), "the same certificate after a restart");
            try (S3Client s3 = node.client()) {
                assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("secure").key("photo.jpg")).asByteArray());
            }
        }
    }

    private static String fingerprint(Path pem) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(pem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }

    /** What a TLS port answers to a plain-HTTP request (at most 4 KiB, 5 s). */
    private static String plainHttp(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<Byte> got = new ArrayList<>();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            try {
                for (int n; got.size() < 4096 && (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i++) {
                        got.add(buf[i]);
                    }
                }
            } catch (IOException closed) {
                // refused or reset: nothing more to read
            }
            byte[] b = new byte[got.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = got.get(i);
            }
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }
}
