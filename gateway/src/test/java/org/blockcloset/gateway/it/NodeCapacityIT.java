package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's capacity and zone changed through the admin API (the console uses the same call): a
 * preview first, then the change, which the node's own store follows without a restart, which
 * outlives a restart, and which the owner's settings override once they change.
 */
class NodeCapacityIT {
    private static final long GIB = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Node node;

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static JsonNode self() throws Exception {
        return AdminApi.get(node, "/api/cluster").path("nodes").get(0);
    }

    private static JsonNode change(String id, String body) throws Exception {
        HttpResponse<String> r = AdminApi.send(node, "POST", "/api/nodes/" + id + "/capacity", body, Node.ACCESS_KEY, Node.SECRET_KEY);
        JsonNode j = JSON.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) j).put("status", r.statusCode());
        return j;
    }

    /** What this node's block store lends now (its metrics). */
    private static long storeCapacity() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("gauges").path("blocks.capacity-bytes").path("value").asLong();
    }

    @Test
    void previewThenChangeFollowedByTheStoreKeptAcrossRestartsUntilTheSettingsChange() throws Exception {
        node = Node.start(dir.resolve("n"), Map.of("BLOCKCLOSET_CAPACITY", "1GiB"));
        String id = self().path("id").asText();
        assertEquals(GIB, self().path("capacity").asLong());

        JsonNode preview = change(id, "{\"capacity\":\"2GiB\",\"zone\":\"attic\",\"preview\":true}");
        assertEquals(200, preview.path("status").asInt(), preview.toString());
        assertFalse(preview.path("applied").asBoolean());
        assertTrue(preview.path("usableAfter").asLong() > preview.path("usableBefore").asLong(), preview.toString());
        assertEquals(GIB, self().path("capacity").asLong(), "a preview changes nothing");

        JsonNode applied = change(id, "{\"capacity\":\"2GiB\",\"zone\":\"attic\"}");
        assertEquals(200, applied.path("status").asInt(), applied.toString());
        assertTrue(applied.path("applied").asBoolean());
        assertEquals(2 * GIB, self().path("capacity").asLong());
        assertEquals("attic", self().path("zone").asText());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (storeCapacity() != 2 * GIB) {
            assertTrue(Instant.now().isBefore(deadline), "the node's store did not take up the new capacity");
            Thread.sleep(100);
        }
        assertEquals(400, change(id, "{\"capacity\":\"lots\"}").path("status").asInt());
        assertEquals(404, change("no-such-node", "{\"capacity\":\"1GiB\"}").path("status").asInt());

        node.restart();
        assertEquals(2 * GIB, self().path("capacity").asLong(), "a change through the API outlives a restart");
        assertEquals(2 * GIB, storeCapacity());

        node.setEnv("BLOCKCLOSET_CAPACITY", "3GiB");
        node.restart();
        assertEquals(3 * GIB, self().path("capacity").asLong(), "the owner's new settings win");
        assertEquals(3 * GIB, storeCapacity());
    }
}
