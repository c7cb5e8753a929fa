package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A single node creates the cluster by joining it: its membership and the layout are on the log;
 * a restart with another capacity or zone records the change and re-plans the layout.
 */
class MembershipIT {
    private static JsonNode cluster(Node node, String id, String secret) throws Exception {
        return AdminApi.call(node, "GET", "/api/cluster", id, secret);
    }

    @Test
    void theFirstNodeCreatesTheClusterAndCapacityChangesReplan() throws Exception {
        Path dir = TempDirs.create("blockcloset-membership-");
        try (Node node = Node.start(dir.resolve("node"), java.util.Map.of("BLOCKCLOSET_CAPACITY", "1GiB"))) {
            assertEquals(401, cluster(node, null, null).path("status").asInt());
            assertEquals(401, cluster(node, Node.ACCESS_KEY, "wrong").path("status").asInt());

            JsonNode c = cluster(node, Node.ACCESS_KEY, Node.SECRET_KEY);
            assertEquals(200, c.path("status").asInt(), c::toString);
            assertEquals(1, c.path("nodes").size());
            JsonNode self = c.path("nodes").get(0);
            assertEquals(1L << 30, self.path("capacity").asLong());
            assertEquals(256, self.path("partitions").asInt());
            assertEquals(1, c.path("layout").path("version").asInt());
            assertEquals(1, c.path("layout").path("replication").asInt(), "one node: one copy");
            assertEquals(1L << 30, c.path("layout").path("usableBytes").asLong());

            node.restart();
            assertEquals(1, cluster(node, Node.ACCESS_KEY, Node.SECRET_KEY).path("layout").path("version").asInt(),
                    "an unchanged restart keeps the layout");

            node.setEnv("BLOCKCLOSET_CAPACITY", "2GiB");
            node.setEnv("BLOCKCLOSET_ZONE", "attic");
            node.restart();
            c = cluster(node, Node.ACCESS_KEY, Node.SECRET_KEY);
            self = c.path("nodes").get(0);
            assertEquals(self.path("nodeId").asText(), c.path("nodes").get(0).path("nodeId").asText());
            assertEquals(2L << 30, self.path("capacity").asLong());
            assertEquals("attic", self.path("zone").asText());
            assertEquals(2, c.path("layout").path("version").asInt());
            assertEquals(2L << 30, c.path("layout").path("usableBytes").asLong());
        } finally {
            TempDirs.delete(dir);
        }
    }
}
