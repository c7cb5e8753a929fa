package org.blockcloset.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** The joining node's side of {@link Join}: one request to any member's cluster port. */
public final class JoinClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JoinClient() {
    }

    /**
     * @param member {@code host:port} of any member's cluster port (BLOCKCLOSET_JOIN)
     * @param token  the join token (BLOCKCLOSET_JOIN_TOKEN)
     */
    public static Join.Answer join(String member, String token, Join.Request self) throws IOException, InterruptedException {
        Join.Token t = Join.Token.parse(token);
        byte[] body = JSON.writeValueAsBytes(self);
        long time = Instant.now().getEpochSecond();
        URI uri = URI.create((member.contains("://") ? member : "http://" + member) + Join.PATH);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header(Join.TOKEN_HEADER, t.id())
                .header(Join.TIME_HEADER, Long.toString(time))
                .header(Join.PROOF_HEADER, Join.proof(t.secret(), time, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                .send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("joining through " + member + " failed (" + r.statusCode() + "): " + answer.path("error").asText());
        }
        String opened = Join.answerBox(t.secret()).open(answer.path("sealed").asText(), t.id())
                .orElseThrow(() -> new IOException("the answer from " + member + " is not sealed with this token's key"));
        return JSON.readValue(opened, Join.Answer.class);
    }
}
