package org.blockcloset.storage.cluster;

import org.blockcloset.storage.cluster.Join;
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
     * The cluster port speaks TLS with a key derived from the cluster secret, which a joining node
     * learns only from this call's answer: it cannot check the member's certificate yet. What it
     * relies on instead is the token: the request carries a proof of it (never the token), and the
     * answer is sealed (AES-GCM) with a key derived from it, so a man in the middle without the token
     * can neither read the answer nor forge one that opens. TLS here only keeps the exchange from
     * passive eyes; every later call checks the pinned certificate (ADR 0015).
     */
    private static javax.net.ssl.SSLContext beforeTheSecret() {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {
                }

                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param member {@code host:port} of any member's cluster port (BLOCKCLOSET_JOIN)
     * @param token  the join token (BLOCKCLOSET_JOIN_TOKEN)
     */
    public static Join.Answer join(String member, String token, Join.Request self) throws IOException, InterruptedException {
        Join.Token t = Join.Token.parse(token);
        byte[] body = JSON.writeValueAsBytes(self);
        long time = Instant.now().getEpochSecond();
        java.security.KeyPair ephemeral = Join.ephemeral();
        String key = Join.text(ephemeral.getPublic());
        URI uri = URI.create("https://" + member.replaceFirst("^[a-zA-Z]+://", "").replaceFirst("/+$", "") + Join.PATH);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header(Join.TOKEN_HEADER, t.id())
                .header(Join.TIME_HEADER, Long.toString(time))
                .header(Join.KEY_HEADER, key)
                .header(Join.PROOF_HEADER, Join.proof(t.secret(), time, body, key))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(beforeTheSecret()).build()
                .send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("joining through " + member + " failed (" + r.statusCode() + "): " + answer.path("error").asText());
        }
        String memberKey = answer.path("key").asText();
        java.util.Optional<String> opened;
        try {
            opened = Join.answerBox(t.secret(), ephemeral.getPrivate(), memberKey, key, memberKey).open(answer.path("sealed").asText(), t.id());
        } catch (IllegalArgumentException e) {
            opened = java.util.Optional.empty();
        }
        String text = opened.orElseThrow(() -> new IOException("the answer from " + member + " is not sealed with this token's key"));
        return JSON.readValue(text, Join.Answer.class);
    }
}
