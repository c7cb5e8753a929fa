package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.blockcloset.storage.node.NodeIdentity;
import org.blockcloset.ledger.kafka.KafkaConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Several hosts for real: nodes as separate processes on 127.0.0.2, .3, .4, each with its own data
 * directory and ports, joined with single-use tokens while a client writes.
 */
class ClusterIT {
    private TestCluster cluster;

    @AfterEach
    void stopAll() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void growsFromOneToThreeNodesWhileAClientWrites() throws Exception {
        cluster = new TestCluster();
        Node first = cluster.startFirst(Map.of());
        List<Node> nodes = cluster.nodes();
        first.client().createBucket(b -> b.bucket("grow"));

        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            Random rnd = new Random(1);
            // No SDK retries: every failed write is counted, none hidden.
            try (S3Client s3 = S3Asserts.noRetries(first)) {
                for (int i = 0; i < 2000 && writing.get(); i++) {
                    byte[] body = new byte[1 + rnd.nextInt(200_000)];
                    rnd.nextBytes(body);
                    String key = "obj-" + i;
                    try {
                        s3.putObject(p -> p.bucket("grow").key(key), RequestBody.fromBytes(body));
                        acknowledged.put(key, body);
                    } catch (RuntimeException e) {
                        failures.add(key + ": " + e);
                    }
                }
            } catch (Throwable t) {
                failures.add("writer died: " + t);
            }
        }, "cluster-it-writer");
        writer.start();
        try {
            Node second = cluster.join(first, Map.of());
            cluster.join(second, Map.of());
            awaitEveryTopicAtThreeReplicas(first);
        } finally {
            writing.set(false);
            writer.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertTrue(!writer.isAlive(), "the writer stopped");
        System.out.printf("while the cluster grew: %d writes acknowledged, %d failed%n", acknowledged.size(), failures.size());
        assertEquals(List.of(), failures, "no write failed while nodes joined");
        assertTrue(acknowledged.size() > 0, "the writer wrote while the cluster grew");

        JsonNode cluster = AdminApi.get(nodes.get(2), "/api/cluster");
        assertEquals(3, cluster.path("nodes").size(), cluster::toString);
        assertEquals(3, cluster.path("layout").path("replication").asInt(), cluster::toString);
        // Any gateway answers from its own views, and sees every write acknowledged before (read-after-write).
        for (Node n : nodes) {
            try (S3Client s3 = n.client()) {
                int listed = 0;
                for (var page : s3.listObjectsV2Paginator(l -> l.bucket("grow"))) {
                    listed += page.keyCount();
                }
                assertEquals(acknowledged.size(), listed, "listing through " + n.host());
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertEquals(e.getValue().length, s3.headObject(h -> h.bucket("grow").key(e.getKey())).contentLength());
                }
            }
        }
        // Byte-identical through every gateway: blocks come from the local disk or another replica.
        for (Node n : nodes) {
            try (S3Client s3 = n.client()) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertArrayEquals(e.getValue(), s3.getObjectAsBytes(g -> g.bucket("grow").key(e.getKey())).asByteArray(),
                            e.getKey() + " through " + n.host());
                }
            }
        }
        System.out.printf("%d objects written while the cluster grew; all read back through each of 3 gateways%n",
                acknowledged.size());
        eachStepThroughAnotherGateway(nodes);
        aSignedAdminCallIsAcceptedOnceByTheWholeCluster(nodes.get(0), nodes.get(1));
    }

    /**
     * A signed admin call that changes something, captured and sent again to another node (with the
     * Host it was signed for, so its signature holds), is refused there: the cluster, not only the
     * node that took it, remembers the signature (issue 16).
     */
    private static void aSignedAdminCallIsAcceptedOnceByTheWholeCluster(Node first, Node other) throws Exception {
        java.net.URI uri = java.net.URI.create(first.adminUrl() + "/api/join-tokens");
        Map<String, List<String>> headers = AdminApi.signedHeaders("POST", uri, new byte[0], Node.ACCESS_KEY, Node.SECRET_KEY);
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri).POST(java.net.http.HttpRequest.BodyPublishers.noBody());
        headers.forEach((name, values) -> {
            if (!java.util.Set.of("host", "content-length").contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        java.net.http.HttpResponse<String> taken = java.net.http.HttpClient.newHttpClient().send(b.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, taken.statusCode(), taken.body());
        StringBuilder replay = new StringBuilder("POST /api/join-tokens HTTP/1.1\r\n");
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> replay.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        replay.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        java.net.URI to = java.net.URI.create(other.adminUrl());
        String answer;
        try (java.net.Socket socket = new java.net.Socket(to.getHost(), to.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(replay.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(answer.startsWith("HTTP/1.1 401"), "the replay to another node makes no second token: " + answer);
        assertTrue(answer.contains("already used"), answer);
    }

    /**
     * A client that spreads one job over gateways: a bucket made through one is written through the
     * next at once; an upload created through one gets its part through the next and is completed
     * through the third; an object written through one is copied through the next. Each step must
     * see the one before it, acknowledged elsewhere a moment earlier.
     */
    private static void eachStepThroughAnotherGateway(List<Node> nodes) throws Exception {
        List<S3Client> s3 = new ArrayList<>();
        try {
            for (Node n : nodes) {
                s3.add(S3Asserts.noRetries(n));
            }
            Random rnd = new Random(7);
            for (int i = 0; i < 15; i++) {
                S3Client a = s3.get(i % 3);
                S3Client b = s3.get((i + 1) % 3);
                S3Client c = s3.get((i + 2) % 3);
                String bucket = "hop-" + i;
                a.createBucket(x -> x.bucket(bucket));
                byte[] body = new byte[1 + rnd.nextInt(300_000)];
                rnd.nextBytes(body);
                b.putObject(x -> x.bucket(bucket).key("src"), RequestBody.fromBytes(body));
                c.copyObject(x -> x.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("copy"));
                assertArrayEquals(body, a.getObjectAsBytes(x -> x.bucket(bucket).key("copy")).asByteArray(), "copy " + i);
                String upload = a.createMultipartUpload(x -> x.bucket(bucket).key("mpu")).uploadId();
                String etag = b.uploadPart(x -> x.bucket(bucket).key("mpu").uploadId(upload).partNumber(1),
                        RequestBody.fromBytes(body)).eTag();
                c.completeMultipartUpload(x -> x.bucket(bucket).key("mpu").uploadId(upload)
                        .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
                assertArrayEquals(body, a.getObjectAsBytes(x -> x.bucket(bucket).key("mpu")).asByteArray(), "upload " + i);
            }
        } finally {
            s3.forEach(S3Client::close);
        }
    }

    /** Polls (bounded) until every topic of the log has three in-sync replicas. */
    private static void awaitEveryTopicAtThreeReplicas(Node any) throws Exception {
        String password = NodeIdentity.load(any.dataDir()).orElseThrow().derivedSecret("kafka");
        try (Admin admin = Admin.create(KafkaConnection.scram(any.kafkaAddress(), password).clientConfig())) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            String last = "";
            while (System.nanoTime() < deadline) {
                Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
                Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
                List<String> low = d.values().stream().filter(t -> t.partitions().stream().anyMatch(p -> p.replicas().size() < 3
                        || p.isr().size() < 3)).map(TopicDescription::name).toList();
                if (low.isEmpty() && !topics.isEmpty()) {
                    System.out.printf("every topic (%d) has 3 in-sync replicas%n", topics.size());
                    return;
                }
                last = low.toString();
                Thread.sleep(500);
            }
            throw new AssertionError("topics still below 3 in-sync replicas: " + last);
        }
    }
}
