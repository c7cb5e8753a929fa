package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * BLOCKCLOSET_ROLES: a gateway with no disk serves S3 and stores nothing; a node that only lends
 * disk (a Raspberry Pi with a USB drive) stores blocks and refuses S3 requests.
 */
class RolesIT {
    private static long blockFiles(Node n) throws Exception {
        try (Stream<java.nio.file.Path> files = Files.walk(n.dataDir().resolve("blocks"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void gatewaysStoreNothingAndStorageNodesServeNoS3() throws Exception {
        String[] roles = {"storage,gateway", "gateway", "storage"};
        try (TestCluster cluster = TestCluster.of(3, i -> Map.of("BLOCKCLOSET_ROLES", roles[i]))) {
            Node both = cluster.node(0);
            Node gateway = cluster.node(1);
            Node storage = cluster.node(2);
            JsonNode c = AdminApi.get(both, "/api/cluster");
            assertEquals(2, c.path("layout").path("replication").asInt(), "two nodes lend disk: two copies");
            for (JsonNode n : c.path("nodes")) {
                boolean lends = !n.path("address").asText().equals(gateway.host());
                assertEquals(lends ? 256 : 0, n.path("partitions").asInt(), n::toString);
            }
            byte[] body = new byte[3_000_000];
            new Random(5).nextBytes(body);
            try (S3Client s3 = S3Asserts.noRetries(gateway)) {
                s3.createBucket(b -> b.bucket("roles"));
                s3.putObject(p -> p.bucket("roles").key("k"), RequestBody.fromBytes(body));
                assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("roles").key("k")).asByteArray());
            }
            assertEquals(0, blockFiles(gateway), "the gateway keeps no block");
            assertTrue(blockFiles(storage) >= 3, "the storage node holds the object's blocks");
            assertTrue(blockFiles(both) >= 3);
            try (S3Client s3 = S3Asserts.noRetries(storage)) {
                S3Exception e = assertThrows(S3Exception.class, () -> s3.getObject(g -> g.bucket("roles").key("k")));
                assertEquals(503, e.statusCode());
                assertTrue(e.awsErrorDetails().errorMessage().contains("only lends disk"), e.getMessage());
            }
        }
    }
}
