package org.blockcloset.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Calls a node's admin API as the test's admin key (or as given credentials); the JSON answer gets a "status" field. */
final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminApi() {
    }

    static JsonNode get(Node node, String path) throws Exception {
        return call(node, "GET", path, Node.ACCESS_KEY, Node.SECRET_KEY);
    }

    static JsonNode post(Node node, String path) throws Exception {
        return call(node, "POST", path, Node.ACCESS_KEY, Node.SECRET_KEY);
    }

    static JsonNode call(Node node, String method, String path, String id, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.adminUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (id != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        ((ObjectNode) body).put("status", r.statusCode());
        return body;
    }
}
