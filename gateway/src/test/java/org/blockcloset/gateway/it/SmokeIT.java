package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The shortest end-to-end path: a real node process, the AWS SDK with default settings. */
class SmokeIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @Test
    void putGetListDelete() {
        NODE.s3().createBucket(b -> b.bucket("smoke"));
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        NODE.s3().putObject(p -> p.bucket("smoke").key("dir/blob"), RequestBody.fromBytes(data));
        assertArrayEquals(data, NODE.s3().getObjectAsBytes(g -> g.bucket("smoke").key("dir/blob")).asByteArray());
        assertEquals(1, NODE.s3().listObjectsV2(l -> l.bucket("smoke")).keyCount());
        NODE.s3().deleteObject(d -> d.bucket("smoke").key("dir/blob"));
        assertThrows(NoSuchKeyException.class, () -> NODE.s3().getObject(g -> g.bucket("smoke").key("dir/blob")));
    }
}
