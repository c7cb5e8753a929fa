package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * restic (Debian's {@code /usr/bin/restic}) with {@code --repo s3:} against a versioned bucket with
 * object lock: init, two backups, check, restore byte for byte, forget + prune; and what ransomware
 * with the key would do to the repository (delete every object) leaves every version recoverable.
 */
class ResticIT {
    private static final Path RESTIC = Path.of("/usr/bin/restic");
    private static final String BUCKET = "restic-locked";

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @TempDir
    Path dir;

    private String restic(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RESTIC.toString(), "--repo", "s3:" + NODE.node().endpoint() + "/" + BUCKET,
                "--no-cache", "-o", "s3.bucket-lookup=path", "-o", "s3.region=us-east-1"));
        cmd.addAll(List.of(args));
        return ItSupport.runTool(cmd, dir, Map.of("RESTIC_PASSWORD", "correct horse battery staple", "HOME", dir.toString()),
                dir.resolve("restic-output.txt"));
    }

    @Test
    void backupCheckRestoreAndPruneOnALockedVersionedBucket() throws Exception {
        if (!Files.isExecutable(RESTIC)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("restic is missing at " + RESTIC + " (apt-get install restic)");
            }
            Assumptions.abort("restic is not installed at " + RESTIC + "; skipping (apt-get install restic)");
        }
        NODE.s3().createBucket(b -> b.bucket(BUCKET).objectLockEnabledForBucket(true));
        NODE.s3().putObjectLockConfiguration(p -> p.bucket(BUCKET).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                .rule(r -> r.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE).days(1)))));

        Path data = Files.createDirectories(dir.resolve("data/photos"));
        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);
        Files.write(data.resolve("holiday.raw"), big);
        Files.writeString(data.resolve("list.txt"), "first\n");
        restic("init");
        restic("backup", dir.resolve("data").toString());
        Files.writeString(data.resolve("list.txt"), "second\n");
        restic("backup", dir.resolve("data").toString());
        String check = restic("check", "--read-data");
        assertTrue(check.contains("no errors were found"), check);

        restic("restore", "latest", "--target", dir.resolve("restored").toString());
        Path restored = dir.resolve("restored").resolve(dir.resolve("data").toString().substring(1)).resolve("photos");
        assertArrayEquals(big, Files.readAllBytes(restored.resolve("holiday.raw")));
        assertEquals("second\n", Files.readString(restored.resolve("list.txt")));

        String forget = restic("forget", "--keep-last", "1", "--prune");
        assertTrue(forget.contains("remove") || forget.contains("removed"), forget);
        assertTrue(restic("snapshots", "--json").contains("\"id\""));

        // What ransomware holding the key could do: delete every object. Each delete only adds a
        // marker; every version stays retained and readable by id.
        var versions = NODE.s3().listObjectVersions(l -> l.bucket(BUCKET)).versions();
        assertTrue(!versions.isEmpty());
        for (var v : NODE.s3().listObjectsV2Paginator(l -> l.bucket(BUCKET)).contents()) {
            NODE.s3().deleteObject(d -> d.bucket(BUCKET).key(v.key()));
        }
        assertEquals(0, NODE.s3().listObjectsV2(l -> l.bucket(BUCKET)).keyCount());
        for (var v : versions) {
            S3Asserts.assertS3Error(403, "AccessDenied", () -> NODE.s3().deleteObject(d -> d.bucket(BUCKET).key(v.key())
                    .versionId(v.versionId())));
        }
        assertTrue(NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(versions.get(0).key()).versionId(versions.get(0).versionId()))
                .asByteArray().length > 0, "a retained version is still readable");
    }
}
