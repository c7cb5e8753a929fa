package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The shortest end-to-end path: a real node process, the AWS SDK with default settings. */
class SmokeIT {
    @TempDir
    static Path dir;
    static Node node;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        node = Node.start(dir.resolve("node"));
        s3 = node.client();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        node.close();
    }

    @Test
    void putGetListDelete() {
        s3.createBucket(b -> b.bucket("smoke"));
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        s3.putObject(p -> p.bucket("smoke").key("dir/blob"), RequestBody.fromBytes(data));
        assertArrayEquals(data, s3.getObjectAsBytes(g -> g.bucket("smoke").key("dir/blob")).asByteArray());
        assertEquals(1, s3.listObjectsV2(l -> l.bucket("smoke")).keyCount());
        s3.deleteObject(d -> d.bucket("smoke").key("dir/blob"));
        assertThrows(NoSuchKeyException.class, () -> s3.getObject(g -> g.bucket("smoke").key("dir/blob")));
    }
}
