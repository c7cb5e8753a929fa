package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Disks of different sizes are all used: 1 + 1 + 4 units at replication factor 2 hold 2 units
 * (ADR 0008's worked example), not 1.5 and not 3. Written until the store answers 507.
 */
class MixedCapacityIT {
    private static final long UNIT = 24L << 20;

    @Test
    void oneOneFourUnitsAtTwoCopiesHoldTwoUnits() throws Exception {
        long[] capacity = {UNIT, UNIT, 4 * UNIT};
        try (TestCluster cluster = TestCluster.of(3, i -> Map.of("BLOCKCLOSET_CAPACITY", capacity[i] + "B",
                "BLOCKCLOSET_REPLICATION", "2", "BLOCKCLOSET_BLOCK_SIZE", "64KiB"))) {
            JsonNode layout = AdminApi.get(cluster.node(0), "/api/cluster").path("layout");
            assertEquals(2, layout.path("replication").asInt(), layout::toString);
            long predicted = layout.path("usableBytes").asLong();
            assertEquals(2 * UNIT, predicted, 2 * UNIT / 100, "the layout predicts the theoretical maximum");

            Map<String, byte[]> acknowledged = new LinkedHashMap<>();
            long stored = 0;
            int status = 0;
            Random rnd = new Random(11);
            try (S3Client s3 = S3Asserts.noRetries(cluster.node(0))) {
                s3.createBucket(b -> b.bucket("mixed"));
                for (int i = 0; i < 2000 && status == 0; i++) {
                    byte[] body = new byte[256 << 10];
                    rnd.nextBytes(body);
                    String key = "fill-" + i;
                    try {
                        s3.putObject(p -> p.bucket("mixed").key(key), RequestBody.fromBytes(body));
                        acknowledged.put(key, body);
                        stored += body.length;
                    } catch (S3Exception e) {
                        status = e.statusCode();
                    }
                }
                System.out.printf("1+1+4 units (unit %d MiB) at r=2: stored %.1f MiB before %d; predicted %.1f MiB (%.1f%%)%n",
                        UNIT >> 20, stored / 1048576.0, status, predicted / 1048576.0, 100.0 * stored / predicted);
                assertEquals(507, status, "a full store answers 507 InsufficientStorage");
                assertTrue(stored >= 0.9 * predicted, "stored " + stored + " of " + predicted);
            }
            // A new client: the refused upload's connection was closed by the node mid-body.
            try (S3Client s3 = S3Asserts.noRetries(cluster.node(1))) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("mixed").key(e.getKey())).asByteArray());
                }
            }
        }
    }
}
