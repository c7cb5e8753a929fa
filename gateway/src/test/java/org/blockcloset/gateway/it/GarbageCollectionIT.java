package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;

/** Blocks no object references any more are deleted after the grace period; referenced ones stay. */
class GarbageCollectionIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension(Map.of("BLOCKCLOSET_GC_GRACE", "1 second",
            "BLOCKCLOSET_GC_INTERVAL", "500 milliseconds"));

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("gc-test"));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Path blockFile(byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        return NODE.node().dataDir().resolve("blocks").resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Polls a condition that the GC makes true; bounded, not a fixed sleep. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    @Test
    void deletedAndOverwrittenObjectsLoseTheirBlocksButSharedBlocksStay() throws Exception {
        byte[] doomed = random(100_000, 1);
        byte[] kept = random(100_000, 2);
        byte[] overwritten = random(100_000, 3);
        NODE.s3().putObject(p -> p.bucket("gc-test").key("doomed"), RequestBody.fromBytes(doomed));
        NODE.s3().putObject(p -> p.bucket("gc-test").key("kept"), RequestBody.fromBytes(kept));
        NODE.s3().putObject(p -> p.bucket("gc-test").key("copy-of-kept"), RequestBody.fromBytes(kept));
        NODE.s3().putObject(p -> p.bucket("gc-test").key("overwritten"), RequestBody.fromBytes(overwritten));
        assertTrue(Files.exists(blockFile(doomed)), "block layout: " + blockFile(doomed));

        NODE.s3().deleteObject(d -> d.bucket("gc-test").key("doomed"));
        NODE.s3().deleteObject(d -> d.bucket("gc-test").key("copy-of-kept"));
        NODE.s3().putObject(p -> p.bucket("gc-test").key("overwritten"), RequestBody.fromBytes(kept));

        assertTrue(eventually(() -> !Files.exists(uncheck(doomed))), "deleted object's block collected");
        assertTrue(eventually(() -> !Files.exists(uncheck(overwritten))), "overwritten version's block collected");
        assertTrue(Files.exists(blockFile(kept)), "a block still referenced must stay");
        assertArrayEquals(kept, NODE.s3().getObjectAsBytes(g -> g.bucket("gc-test").key("kept")).asByteArray());
        assertArrayEquals(kept, NODE.s3().getObjectAsBytes(g -> g.bucket("gc-test").key("overwritten")).asByteArray());
    }

    @Test
    void abortedUploadPartsAreCollected() throws Exception {
        byte[] part = random(200_000, 4);
        String uploadId = NODE.s3().createMultipartUpload(c -> c.bucket("gc-test").key("aborted")).uploadId();
        NODE.s3().uploadPart(u -> u.bucket("gc-test").key("aborted").uploadId(uploadId).partNumber(1), RequestBody.fromBytes(part));
        assertTrue(Files.exists(blockFile(part)));
        NODE.s3().abortMultipartUpload(a -> a.bucket("gc-test").key("aborted").uploadId(uploadId));
        assertTrue(eventually(() -> !Files.exists(uncheck(part))), "aborted part's block collected");
        assertFalse(NODE.s3().listObjectsV2(l -> l.bucket("gc-test").prefix("aborted")).hasContents()
                && !NODE.s3().listObjectsV2(l -> l.bucket("gc-test").prefix("aborted")).contents().isEmpty());
    }

    private static Path uncheck(byte[] content) {
        try {
            return blockFile(content);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
