package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.Reader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.Random;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.remote.BlockClient;
import org.blockcloset.storage.remote.ClusterCredentials;
import org.blockcloset.storage.remote.RemoteBlockException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Nothing between nodes is open to strangers. The node's cluster port serves its block store to holders of the cluster secret and to nobody
 * else, over TLS only, with a key derived from that secret (ADR 0015). The secret is made at first start and kept private to the node's user.
 */
class ClusterPortIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    /** A block API client signing with {@code secret}, talking TLS to a peer holding the key derived from {@code tlsSecret}. */
    private static BlockClient client(byte[] secret, byte[] tlsSecret) {
        return new BlockClient(NODE.node().clusterUrl(), "test-node", new ClusterCredentials(secret),
                HttpClient.newBuilder().sslContext(org.blockcloset.storage.node.NodeIdentity.clusterPortTls(tlsSecret)).build(),
                Duration.ofSeconds(10), Clock.systemUTC());
    }

    private static byte[] clusterSecret() throws Exception {
        Path file = NODE.node().dataDir().resolve("node.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return Base64.getDecoder().decode(p.getProperty("clusterSecret"));
    }

    @Test
    void servesTheNodesBlocksToClusterMembersOnly() throws Exception {
        byte[] content = new byte[300_000];
        new Random(42).nextBytes(content);
        NODE.s3().createBucket(b -> b.bucket("cluster-port"));
        NODE.s3().putObject(p -> p.bucket("cluster-port").key("k"), RequestBody.fromBytes(content));
        BlockId id = BlockId.ofDigest(MessageDigest.getInstance("SHA-256").digest(content));

        BlockClient member = client(clusterSecret(), clusterSecret());
        assertEquals(content.length, member.size(id), "the block an S3 PUT stored is served on the cluster port");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        member.read(id, 0, -1, out);
        assertArrayEquals(content, out.toByteArray());
        assertTrue(member.capacity().used() >= content.length);

        // Plain HTTP gets nothing: the port speaks TLS only.
        java.net.URI plain = java.net.URI.create(NODE.node().clusterUrl().toString().replaceFirst("^https:", "http:") + "/v1/blocks/" + id.hex());
        String marker = new String(content, 0, 16, java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).GET().build(),
                    HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertTrue(r.statusCode() >= 400, "plain HTTP on the cluster port: " + r.statusCode());
            assertFalse(r.body().contains(marker));
        } catch (java.io.IOException refused) {
            // the TLS connector closes a connection that does not start with a handshake: refused too
        }

        // A client that trusts another cluster's key does not talk to this node at all.
        byte[] other = "some other cluster's secret bytes".getBytes();
        BlockClient otherCluster = client(clusterSecret(), other);
        Throwable handshake = assertThrows(java.io.IOException.class, () -> otherCluster.size(id));
        while (handshake.getCause() != null && !(handshake instanceof javax.net.ssl.SSLHandshakeException)) {
            handshake = handshake.getCause();
        }
        assertTrue(handshake instanceof javax.net.ssl.SSLHandshakeException, "refused by the pinned certificate: " + handshake);

        // One that reaches the port (the certificate is no secret) but signs with another secret gets 401.
        BlockClient stranger = client(other, clusterSecret());
        // A refused body larger than 64 KiB is not read: the 401 comes with the connection closed, and
        // may be lost to the reset; either way nothing is stored.
        java.io.IOException put = assertThrows(java.io.IOException.class, () -> stranger.put(id, content, 0, content.length, null));
        assertTrue(!(put instanceof RemoteBlockException refused) || refused.status() == 401, put.toString());
        assertEquals(401, assertThrows(RemoteBlockException.class,
                () -> stranger.read(id, 0, -1, new java.io.ByteArrayOutputStream())).status());
        assertEquals(content.length, member.size(id), "the stranger's calls took no effect");
    }

    /**
     * Joins, the one route open to strangers, cannot take the port: a request without a known token
     * is refused from its headers, bodies that never come hold at most two threads for a bounded
     * time, and block copies go on meanwhile.
     */
    @Test
    void slowOrBogusJoinsDoNotStallTheBlockApi() throws Exception {
        byte[] content = "joins-do-not-stall".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        NODE.s3().createBucket(b -> b.bucket("joins"));
        NODE.s3().putObject(p -> p.bucket("joins").key("k"), RequestBody.fromBytes(content));
        BlockId id = BlockId.ofDigest(MessageDigest.getInstance("SHA-256").digest(content));
        String tokenId = org.blockcloset.storage.cluster.Join.Token.parse(
                AdminApi.post(NODE.node(), "/api/join-tokens").path("token").asText()).id();
        javax.net.ssl.SSLSocketFactory tls = org.blockcloset.storage.node.NodeIdentity.clusterPortTls(clusterSecret()).getSocketFactory();
        String time = Long.toString(java.time.Instant.now().getEpochSecond());

        assertTrue(rawJoin(tls, "X-Join-Token: no-such-token\r\nX-Join-Time: " + time + "\r\nX-Join-Proof: x\r\n", 1000)
                .startsWith("HTTP/1.1 403"), "an unknown token is refused before its body is read");
        // Two joins whose bodies never come hold the two places for at most the 10 s a body may take;
        // meanwhile a third is turned away at once. Until both wait in the servlet, a third is let in:
        // it sends its (bogus) body at once, so it is refused at once and frees its place. On a machine
        // busy enough that the probes miss the 10 s window (the slow ones were given up on first), the
        // scenario runs again with two new slow joins: at most three times. A port with no limit fails
        // every time.
        java.util.List<javax.net.ssl.SSLSocket> slow = new java.util.ArrayList<>();
        String third = "(no probe answered)";
        try {
            for (int attempt = 0; attempt < 3 && !third.startsWith("HTTP/1.1 503"); attempt++) {
                for (javax.net.ssl.SSLSocket s : slow) {
                    s.close();
                }
                slow.clear();
                long opened = System.nanoTime();
                for (int i = 0; i < 2; i++) {
                    slow.add(openJoin(tls, "X-Join-Token: " + tokenId + "\r\nX-Join-Time: " + time + "\r\nX-Join-Proof: x\r\n", 1000));
                }
                long until = opened + java.util.concurrent.TimeUnit.SECONDS.toNanos(8);
                do {
                    third = joinWithBody(tls, "X-Join-Token: " + tokenId + "\r\nX-Join-Time: " + time + "\r\nX-Join-Proof: x\r\n");
                } while (!third.startsWith("HTTP/1.1 503") && System.nanoTime() < until);
            }
            assertTrue(third.startsWith("HTTP/1.1 503"), "a third join while two bodies are awaited: " + third);
            BlockClient member = client(clusterSecret(), clusterSecret());
            long t0 = System.nanoTime();
            assertEquals(content.length, member.size(id), "the block API answers while joins wait for their bodies");
            assertTrue(System.nanoTime() - t0 < java.util.concurrent.TimeUnit.SECONDS.toNanos(2), "and at once");
            for (javax.net.ssl.SSLSocket s : slow) {
                s.setSoTimeout(60_000);
                String answer = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 408", answer, "a body that never comes is given up on");
            }
        } finally {
            for (javax.net.ssl.SSLSocket s : slow) {
                s.close();
            }
        }
    }

    /** A join token that leaked is revoked through the admin API: no node joins with it from then on. */
    @Test
    void aRevokedJoinTokenJoinsNobody() throws Exception {
        com.fasterxml.jackson.databind.JsonNode made = AdminApi.post(NODE.node(), "/api/join-tokens");
        String token = made.path("token").asText();
        String id = org.blockcloset.storage.cluster.Join.Token.parse(token).id();
        assertEquals(204, AdminApi.send(NODE.node(), "DELETE", "/api/join-tokens/" + id, null, Node.ACCESS_KEY, Node.SECRET_KEY)
                .statusCode());
        boolean listed = false;
        for (com.fasterxml.jackson.databind.JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                AdminApi.send(NODE.node(), "GET", "/api/join-tokens", null, Node.ACCESS_KEY, Node.SECRET_KEY).body())) {
            if (t.path("id").asText().equals(id)) {
                listed = true;
                assertFalse(t.path("usable").asBoolean(), t.toString());
                assertFalse(t.path("revoked").isNull(), t.toString());
                assertFalse(t.toString().contains(token), "the list never shows a token's secret");
            }
        }
        assertTrue(listed, "the revoked token is listed");
        java.io.IOException refused = assertThrows(java.io.IOException.class, () -> org.blockcloset.storage.cluster.JoinClient.join(
                NODE.node().joinAddress(), token, new org.blockcloset.storage.cluster.Join.Request("node-with-a-leaked-token",
                        new org.blockcloset.ledger.model.NodeAddress("127.0.0.99", 1, 2, 3, 4, 5), java.util.Set.of("storage"), "", 1)));
        assertTrue(refused.getMessage().contains("403"), refused.getMessage());
        assertEquals(404, AdminApi.send(NODE.node(), "DELETE", "/api/join-tokens/no-such-token", null, Node.ACCESS_KEY, Node.SECRET_KEY)
                .statusCode());
    }

    /** A join request whose headers are sent and whose body never comes. */
    private static javax.net.ssl.SSLSocket openJoin(javax.net.ssl.SSLSocketFactory tls, String headers, int length) throws Exception {
        java.net.URI u = NODE.node().clusterUrl();
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.createSocket(u.getHost(), u.getPort());
        s.getOutputStream().write(("POST /v1/join HTTP/1.1\r\nHost: " + u.getHost() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n" + headers + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** The status line of a join request that sends a (bogus, two-byte) body with its headers. */
    private static String joinWithBody(javax.net.ssl.SSLSocketFactory tls, String headers) throws Exception {
        try (javax.net.ssl.SSLSocket s = openJoin(tls, headers, 2)) {
            s.getOutputStream().write("{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout(30_000);
            return new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** The status line (and a little more) of a join request whose body is never sent. */
    private static String rawJoin(javax.net.ssl.SSLSocketFactory tls, String headers, int length) throws Exception {
        try (javax.net.ssl.SSLSocket s = openJoin(tls, headers, length)) {
            s.setSoTimeout(30_000); // longer than the server's 10 s for a body, should this one be the one waited for
            return new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theLogRefusesClientsWithoutTheNodesCredentials() throws Exception {
        java.util.Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", NODE.node().kafkaAddress());
        config.put("request.timeout.ms", 3000);
        config.put("default.api.timeout.ms", 5000);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(config)) {
            assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS),
                    "a plaintext client cannot read the log (access keys) or append forged events");
        }
        // TLS to the node's own key (the certificate is no secret), and a guessed password: SCRAM refuses it.
        config.putAll(org.blockcloset.ledger.kafka.KafkaConnection.scram(NODE.node().kafkaAddress(),
                org.blockcloset.storage.node.NodeIdentity.derivedSecret(clusterSecret(), "kafka")).clientConfig());
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + org.blockcloset.ledger.kafka.KafkaConnection.USER + "\" password=\"guessed-password-of-a-stranger\";");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(config)) {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException
                    && !(e.getCause() instanceof org.apache.kafka.common.errors.SslAuthenticationException), e.getCause().toString());
        }
    }
}
