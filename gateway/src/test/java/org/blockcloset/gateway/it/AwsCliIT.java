package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.ItSupport.random;
import static org.blockcloset.gateway.it.ItSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The aws cli (Debian's {@code /usr/bin/aws}, botocore underneath) against a node: high-level
 * {@code s3} commands (multipart uploads and ranged downloads of a large file, sync) and the
 * low-level {@code s3api} multipart flow, each checked through the SDK.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AwsCliIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final String BUCKET = "cli-bucket";
    private static final int MIB = 1 << 20;

    @TempDir
    static Path dir;
    static Node node;
    static S3Client s3;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(AWS)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the aws cli is missing at " + AWS + " (apt-get install awscli)");
            }
            Assumptions.abort("the aws cli is not installed at " + AWS + "; skipping (apt-get install awscli)");
        }
        node = Node.start(dir.resolve("node"));
        s3 = node.client();
        work = Files.createDirectories(dir.resolve("work"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** Runs {@code aws --endpoint-url <node> args...}; fails the test on a non-zero exit. Returns stdout+stderr. */
    private static String aws(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "--endpoint-url", node.endpoint().toString()));
        cmd.addAll(List.of(args));
        return ItSupport.runTool(cmd, work, Map.of("AWS_DEFAULT_REGION", "us-east-1",
                "AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString(),
                "AWS_EC2_METADATA_DISABLED", "true", "AWS_PAGER", ""), dir.resolve("aws-output.txt"));
    }

    private static long count(String text, String word) {
        return text.lines().filter(l -> l.startsWith(word)).count();
    }

    @Test
    @Order(1)
    void makeBucketCopyAndList() throws Exception {
        aws("s3", "mb", "s3://" + BUCKET);
        s3.headBucket(h -> h.bucket(BUCKET));

        byte[] big = random(new Random(1), 20 * MIB);
        Files.write(work.resolve("big.bin"), big);
        // (cli 2.9's "s3 cp" has no --checksum-algorithm; the s3api test below sends checksums)
        aws("s3", "cp", "big.bin", "s3://" + BUCKET + "/big.bin");
        HeadObjectResponse head = s3.headObject(h -> h.bucket(BUCKET).key("big.bin"));
        assertEquals(20L * MIB, head.contentLength());
        assertTrue(head.eTag().matches("\"[0-9a-f]{32}-3\""), "20 MiB in the cli's 8 MiB parts: " + head.eTag());
        assertEquals(sha256(big), sha256(s3.getObject(g -> g.bucket(BUCKET).key("big.bin"))));

        Files.writeString(work.resolve("small.txt"), "hello from the aws cli\n");
        aws("s3", "cp", "small.txt", "s3://" + BUCKET + "/docs/small.txt");
        assertEquals("hello from the aws cli\n", s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("docs/small.txt")).asUtf8String());

        String top = aws("s3", "ls", "s3://" + BUCKET + "/");
        assertTrue(top.contains(" " + (20 * MIB) + " big.bin"), top);
        assertTrue(top.contains("PRE docs/"), top);
        String recursive = aws("s3", "ls", "--recursive", "s3://" + BUCKET);
        assertTrue(recursive.contains("docs/small.txt"), recursive);
        assertTrue(aws("s3", "ls").contains(BUCKET));
    }

    @Test
    @Order(2)
    void copyBackIsByteIdentical() throws Exception {
        aws("s3", "cp", "s3://" + BUCKET + "/big.bin", "big-back.bin");
        assertEquals(sha256(Files.readAllBytes(work.resolve("big.bin"))), sha256(Files.readAllBytes(work.resolve("big-back.bin"))));
        aws("s3", "cp", "s3://" + BUCKET + "/docs/small.txt", "small-back.txt");
        assertEquals("hello from the aws cli\n", Files.readString(work.resolve("small-back.txt")));
    }

    @Test
    @Order(3)
    void syncUploadsOnlyWhatChanged() throws Exception {
        Path tree = work.resolve("tree");
        Random rnd = new Random(2);
        Map<String, byte[]> files = new TreeMap<>();
        files.put("top.txt", "top level\n".getBytes(StandardCharsets.UTF_8));
        files.put("a/one.bin", random(rnd, 10_000));
        files.put("a/b/two.bin", random(rnd, 300_000));
        files.put("c/three.bin", random(rnd, 9 * MIB)); // above the cli's multipart threshold
        files.put("c/empty", new byte[0]);
        for (var f : files.entrySet()) {
            Files.createDirectories(tree.resolve(f.getKey()).getParent());
            Files.write(tree.resolve(f.getKey()), f.getValue());
        }
        String first = aws("s3", "sync", "tree", "s3://" + BUCKET + "/tree");
        assertEquals(files.size(), count(first, "upload:"), first);
        Map<String, Instant> modified = lastModified("tree/");
        assertEquals(files.keySet().stream().map(k -> "tree/" + k).toList(), List.copyOf(modified.keySet()));
        for (var f : files.entrySet()) {
            assertArrayEquals(f.getValue(), s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("tree/" + f.getKey())).asByteArray(),
                    f.getKey());
        }

        byte[] changed = random(rnd, 12_345); // a new size, so sync sees the change whatever the clock
        Files.write(tree.resolve("a/one.bin"), changed);
        String second = aws("s3", "sync", "tree", "s3://" + BUCKET + "/tree");
        assertEquals(1, count(second, "upload:"), second);
        assertTrue(second.contains("a/one.bin"), second);
        assertArrayEquals(changed, s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("tree/a/one.bin")).asByteArray());
        Map<String, Instant> after = lastModified("tree/");
        for (String key : modified.keySet()) {
            if (!key.equals("tree/a/one.bin")) {
                assertEquals(modified.get(key), after.get(key), key + " was uploaded again");
            }
        }
        assertEquals(0, count(aws("s3", "sync", "tree", "s3://" + BUCKET + "/tree"), "upload:"), "nothing left to sync");
    }

    private static Map<String, Instant> lastModified(String prefix) {
        Map<String, Instant> m = new TreeMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(BUCKET).prefix(prefix)).contents()) {
            m.put(o.key(), o.lastModified());
        }
        return m;
    }

    @Test
    @Order(4)
    void s3apiMultipartFlow() throws Exception {
        Random rnd = new Random(3);
        byte[] part1 = random(rnd, 5 * MIB);
        byte[] part2 = random(rnd, MIB + 3);
        Files.write(work.resolve("part1"), part1);
        Files.write(work.resolve("part2"), part2);
        String created = aws("s3api", "create-multipart-upload", "--bucket", BUCKET, "--key", "api/mpu.bin",
                "--checksum-algorithm", "SHA256");
        String uploadId = jsonString(created, "UploadId");
        String up1 = aws("s3api", "upload-part", "--bucket", BUCKET, "--key", "api/mpu.bin",
                "--part-number", "1", "--upload-id", uploadId, "--body", "part1", "--checksum-algorithm", "SHA256");
        String up2 = aws("s3api", "upload-part", "--bucket", BUCKET, "--key", "api/mpu.bin",
                "--part-number", "2", "--upload-id", uploadId, "--body", "part2", "--checksum-algorithm", "SHA256");
        // The part checksums the cli computed and sent come back (base64 SHA-256 of each part).
        assertEquals(base64Sha256(part1), jsonString(up1, "ChecksumSHA256"), up1);
        assertEquals(base64Sha256(part2), jsonString(up2, "ChecksumSHA256"), up2);
        String etag1 = jsonString(up1, "ETag");
        String etag2 = jsonString(up2, "ETag");
        String parts = aws("s3api", "list-parts", "--bucket", BUCKET, "--key", "api/mpu.bin", "--upload-id", uploadId);
        assertTrue(parts.contains("\"PartNumber\": 2"), parts);
        Files.writeString(work.resolve("parts.json"), "{\"Parts\": ["
                + "{\"PartNumber\": 1, \"ETag\": " + quoted(etag1) + ", \"ChecksumSHA256\": " + quoted(base64Sha256(part1)) + "}, "
                + "{\"PartNumber\": 2, \"ETag\": " + quoted(etag2) + ", \"ChecksumSHA256\": " + quoted(base64Sha256(part2)) + "}]}");
        String done = aws("s3api", "complete-multipart-upload", "--bucket", BUCKET, "--key", "api/mpu.bin",
                "--upload-id", uploadId, "--multipart-upload", "file://parts.json");
        String etag = jsonString(done, "ETag");
        assertTrue(etag.endsWith("-2\""), etag);

        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        var got = s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("api/mpu.bin"));
        assertEquals(sha256(whole), sha256(got.asByteArray()));
        assertEquals(etag, got.response().eTag());
        HeadObjectResponse h = s3.headObject(r -> r.bucket(BUCKET).key("api/mpu.bin").checksumMode(ChecksumMode.ENABLED));
        assertNotNull(h.checksumSHA256(), "the multipart object keeps its SHA-256 checksum");
        assertTrue(h.checksumSHA256().endsWith("-2"), "composite checksum of 2 parts: " + h.checksumSHA256());
        String head = aws("s3api", "head-object", "--bucket", BUCKET, "--key", "api/mpu.bin");
        assertTrue(head.contains("\"ContentLength\": " + whole.length), head);
    }

    /** A string field of the cli's JSON output; the value unescaped (ETags come with their quotes). */
    private static String jsonString(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return m.group(1).replace("\\\"", "\"");
    }

    private static String base64Sha256(byte[] data) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\\\"") + "\"";
    }

    /** put-bucket-policy from the aws cli opens one prefix to anyone; --no-sign-request reads it, the rest stays closed. */
    @Test
    @Order(5)
    void aBucketPolicyOpensOnePrefixToUnsignedReads() throws Exception {
        Path policy = work.resolve("policy.json");
        Files.writeString(policy, "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", "
                + "\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::" + BUCKET + "/docs/*\"}]}");
        aws("s3api", "put-bucket-policy", "--bucket", BUCKET, "--policy", "file://" + policy);
        assertTrue(aws("s3api", "get-bucket-policy", "--bucket", BUCKET).contains("docs/*"));
        assertTrue(aws("s3api", "get-bucket-policy-status", "--bucket", BUCKET).contains("\"IsPublic\": true"));
        aws("s3", "cp", "--no-sign-request", "s3://" + BUCKET + "/docs/small.txt", "small-anonymous.txt");
        assertArrayEquals(Files.readAllBytes(work.resolve("small.txt")), Files.readAllBytes(work.resolve("small-anonymous.txt")));
        java.net.http.HttpResponse<String> closed = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(node.endpoint().resolve("/" + BUCKET + "/big.bin")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, closed.statusCode(), "outside the prefix the policy opens");
        aws("s3api", "delete-bucket-policy", "--bucket", BUCKET);
        java.net.http.HttpResponse<String> again = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(node.endpoint().resolve("/" + BUCKET + "/docs/small.txt")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, again.statusCode(), "closed once the policy is deleted");
    }

    @Test
    @Order(6)
    void removeRecursive() throws Exception {
        String out = aws("s3", "rm", "s3://" + BUCKET, "--recursive");
        assertTrue(count(out, "delete:") >= 8, out);
        assertEquals(0, s3.listObjectsV2(l -> l.bucket(BUCKET)).keyCount());
        aws("s3", "rb", "s3://" + BUCKET);
        assertTrue(s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(BUCKET)));
    }
}
