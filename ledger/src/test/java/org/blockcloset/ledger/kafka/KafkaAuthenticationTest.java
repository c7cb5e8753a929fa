package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both listeners refuse clients without the log's credentials, and a log made by the release
 * before authentication (plaintext listeners, no SCRAM credential) is upgraded in place, keeping
 * its records.
 */
class KafkaAuthenticationTest {
    private static final String TOPIC = "auth-test";

    private static Map<String, Object> probe(Map<String, Object> base) {
        Map<String, Object> c = new HashMap<>(base);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return c;
    }

    /** A plaintext client gets no answer (the listener speaks SASL): refused by a timeout. */
    private static void assertRefused(Map<String, Object> config, String what) {
        assertRefused(config, what, true);
    }

    /** A client refused by authentication: TLS (a pin to another key) or SASL. */
    private static void assertDenied(Map<String, Object> config, String what) {
        assertRefused(config, what, false);
    }

    /**
     * A client that talks TLS to the right key and is refused by SASL itself (a wrong password or a
     * mechanism the listener does not take), not by the TLS handshake.
     */
    private static void assertSaslDenied(Map<String, Object> config, String what) {
        try (Admin admin = Admin.create(probe(config))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS), what);
            assertTrue(e.getCause() instanceof AuthenticationException
                    && !(e.getCause() instanceof org.apache.kafka.common.errors.SslAuthenticationException), what + ": " + e.getCause());
        }
    }

    /** The same client settings (TLS trusting the right key) with another password. */
    private static Map<String, Object> withPassword(Map<String, Object> config, String module, String password) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(org.apache.kafka.common.config.SaslConfigs.SASL_JAAS_CONFIG, KafkaConnection.jaas(module, KafkaConnection.USER, password, false));
        return c;
    }

    private static void assertRefused(Map<String, Object> config, String what, boolean timeoutCounts) {
        try (Admin admin = Admin.create(probe(config))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS), what);
            assertTrue(e.getCause() instanceof AuthenticationException
                    || timeoutCounts && e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException,
                    what + ": " + e.getCause());
        }
    }

    /** A client of the controller listener with PLAIN credentials, over TLS (trusting the key derived from {@code password}) or not. */
    private static Map<String, Object> controllerClient(String controller, String password, boolean tls) {
        Map<String, Object> c = new HashMap<>(KafkaConnection.plain("unused:1", password).clientConfig());
        c.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        c.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller);
        return tls ? c : withoutTls(c);
    }

    /** The same client settings, SASL in clear. */
    private static Map<String, Object> withoutTls(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.keySet().removeIf(k -> k.startsWith("ssl."));
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        return c;
    }

    @Test
    void everyNodeDerivesTheSameTlsKeyFromTheClusterPassword() {
        ClusterTls.Identity a = ClusterTls.derive("the-same-cluster-password-123");
        assertEquals(a, ClusterTls.derive("the-same-cluster-password-123"), "same password, same key and certificate bytes");
        assertFalse(a.privateKeyPem().equals(ClusterTls.derive("another-cluster-password-123").privateKeyPem()));
        assertTrue(a.certificatePem().startsWith("-----BEGIN CERTIFICATE-----\n"), a.certificatePem());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void listenersRefuseClientsWithoutTheCredentials(@TempDir Path data) throws Exception {
        KafkaSettings settings = KafkaSettings.withFreePorts(data);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings)) {
            try (Admin admin = Admin.create(kafka.connection().clientConfig())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            assertRefused(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    "a plaintext client on the broker listener");
            assertSaslDenied(withPassword(kafka.connection().clientConfig(), "org.apache.kafka.common.security.scram.ScramLoginModule",
                    "a-wrong-password-of-some-length"), "SCRAM with a wrong password, inside TLS to the right key");
            assertSaslDenied(KafkaConnection.plain(kafka.bootstrapServers(), settings.password()).clientConfig(),
                    "PLAIN (which sends the password itself) is not a mechanism of the broker listener");
            assertRefused(withoutTls(kafka.connection().clientConfig()),
                    "SASL_PLAINTEXT with the right password on the broker listener (it speaks TLS only, ADR 0015)");
            Map<String, Object> trustsAnother = new HashMap<>(kafka.connection().clientConfig());
            trustsAnother.putAll(ClusterTls.clientProperties("another-clusters-password-0000"));
            assertDenied(trustsAnother, "a client that trusts another cluster's key on the broker listener");
            String controller = settings.host() + ":" + settings.controllerPort();
            assertRefused(Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller),
                    "a plaintext client on the controller listener");
            assertRefused(controllerClient(controller, settings.password(), false),
                    "SASL_PLAINTEXT with the right password on the controller listener (it speaks TLS only)");
            assertSaslDenied(withPassword(controllerClient(controller, settings.password(), true),
                    "org.apache.kafka.common.security.plain.PlainLoginModule", "a-wrong-password-of-some-length"),
                    "PLAIN with a wrong password inside TLS on the controller listener");
            Map<String, Object> otherCluster = controllerClient(controller, settings.password(), true);
            otherCluster.putAll(ClusterTls.clientProperties("another-clusters-password-0000"));
            assertDenied(otherCluster, "a client that trusts another cluster's key never sends its password to this listener");
            Map<String, Object> rightPlain = controllerClient(controller, settings.password(), true);
            try (Admin admin = Admin.create(probe(rightPlain))) {
                assertEquals(kafka.clusterId(), admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS),
                        "the node's own credentials do open the controller listener");
            }
            assertFalse(Files.readString(data.resolve("kafka").resolve("meta.properties")).contains(settings.password()));
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aLogMadeBeforeAuthenticationIsUpgradedInPlace(@TempDir Path data) throws Exception {
        KafkaSettings settings = KafkaSettings.withFreePorts(data);
        String plaintext = settings.host() + ":" + settings.brokerPort();
        formatLikeThePreviousRelease(settings);
        KafkaRaftServer old = new KafkaRaftServer(new KafkaConfig(previousReleaseProperties(settings), false), Time.SYSTEM);
        old.startup();
        try {
            Map<String, Object> c = new HashMap<>(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plaintext));
            try (Admin admin = Admin.create(c)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    p.send(new ProducerRecord<>(TOPIC, "k", "before-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            old.shutdown();
            old.awaitShutdown();
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings)) {
            assertEquals(10, readAll(kafka.connection()).size(), "records written before the upgrade, read with SCRAM");
        }
        assertTrue(Files.exists(data.resolve(EmbeddedKafka.SCRAM_MARKER)));
        assertTrue(Files.exists(data.resolve(EmbeddedKafka.DYNAMIC_QUORUM_MARKER)), "the static quorum became dynamic");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings)) {
            assertEquals(10, readAll(kafka.connection()).size(), "and again after a plain restart");
            try (Admin admin = Admin.create(kafka.connection().clientConfig())) {
                assertEquals((short) 1, admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
                        .finalizedFeatures().get("kraft.version").maxVersionLevel(), "controllers can now be added");
            }
            assertDenied(KafkaConnection.plain(kafka.bootstrapServers(), settings.password()).clientConfig(),
                    "PLAIN is gone from the broker listener after the upgrade");
        }
    }

    /** What the single-host release before authentication did: a static quorum, no SCRAM credential. */
    private static void formatLikeThePreviousRelease(KafkaSettings settings) throws Exception {
        String dir = settings.logDirectory().toAbsolutePath().toString();
        Files.createDirectories(settings.logDirectory());
        try (PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            new Formatter().setPrintStream(quiet).setNodeId(settings.nodeId()).setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir)).setMetadataLogDirectory(dir)
                    .setControllerListenerName(EmbeddedKafka.CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .run();
        }
    }

    /** Today's broker settings with the previous release's plaintext listeners. */
    private static Map<String, String> previousReleaseProperties(KafkaSettings s) {
        Map<String, String> p = new HashMap<>(EmbeddedKafka.brokerProperties(s, false, false));
        p.keySet().removeIf(k -> k.startsWith("listener.name.") || k.startsWith("sasl."));
        p.put("listeners", "PLAINTEXT://" + s.host() + ":" + s.brokerPort() + ",CONTROLLER://" + s.host() + ":" + s.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + s.brokerPort());
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return p;
    }

    private static List<String> readAll(KafkaConnection connection) {
        Map<String, Object> c = connection.clientConfig();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
