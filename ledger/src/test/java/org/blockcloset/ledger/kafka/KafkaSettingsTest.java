package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    private static final Path DATA = Path.of("/tmp/blockcloset-data");

    @Test
    void defaultsAndDerivedValues() {
        KafkaSettings s = KafkaSettings.defaults(DATA);
        assertEquals(1, s.nodeId());
        assertEquals("127.0.0.1", s.host());
        assertEquals(DATA.resolve("kafka"), s.logDirectory());
        assertEquals("127.0.0.1:" + s.brokerPort(), s.bootstrapServers());
        assertTrue(s.brokerPort() < 32768 && s.controllerPort() < 32768);
        assertEquals(Map.of(), s.overrides());
    }

    @Test
    void fromMapReadsKeysAndOverrides() {
        KafkaSettings s = KafkaSettings.fromMap(Map.of(
                "data.directory", "/d", "node.id", "3", "broker.port", "21000", "controller.port", "21001",
                "override.num.io.threads", "2"));
        assertEquals(Path.of("/d"), s.dataDirectory());
        assertEquals(3, s.nodeId());
        assertEquals(21000, s.brokerPort());
        assertEquals(21001, s.controllerPort());
        assertEquals(Map.of("num.io.threads", "2"), s.overrides());
        assertEquals("2", EmbeddedKafka.brokerProperties(s, false, true).get("num.io.threads"));
    }

    @Test
    void theFirstThreeVotersStandForElectionAtDifferentTimes() {
        Set<String> timeouts = new java.util.HashSet<>();
        for (int id = 1; id <= 3; id++) {
            KafkaSettings s = KafkaSettings.fromMap(Map.of("data.directory", "/d", "node.id", Integer.toString(id)));
            String t = EmbeddedKafka.brokerProperties(s, false, true).get("controller.quorum.fetch.timeout.ms").toString();
            assertTrue(Integer.parseInt(t) >= EmbeddedKafka.QUORUM_FETCH_TIMEOUT_MS, t);
            timeouts.add(t);
        }
        assertEquals(3, timeouts.size(), "one fetch timeout per voter: " + timeouts);
    }

    @Test
    void rejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.fromMap(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.defaults(DATA).withPorts(40000, 20001));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.defaults(DATA).withPorts(20001, 32768));
        assertThrows(IllegalArgumentException.class, () -> KafkaSettings.defaults(DATA).withPorts(20001, 20001));
        assertThrows(IllegalArgumentException.class,
                () -> KafkaSettings.fromMap(Map.of("data.directory", "/d", "node.id", "x")));
    }

    @Test
    void everyBakedKeyIsAKnownBrokerConfig() {
        Set<String> known = AbstractKafkaConfig.CONFIG_DEF.names();
        for (int variant = 0; variant < 4; variant++) {
            EmbeddedKafka.brokerProperties(KafkaSettings.defaults(DATA), variant % 2 == 0, variant < 2).keySet().forEach(key -> {
                // Per-listener keys: listener.name.<listener>.[<mechanism>.]<config>
                String base = key.startsWith("listener.name.") ? key.replaceFirst("^listener\\.name\\.[a-z]+\\.([a-z0-9-]+\\.(?=sasl\\.jaas))?", "") : key;
                assertTrue(known.contains(base), "unknown broker config " + key);
            });
        }
    }

    @Test
    void freePortsAreInRangeAndDistinct() {
        int a = Ports.freePort();
        int b = Ports.freePort();
        assertNotEquals(a, b);
        for (int p : new int[] {a, b}) {
            assertTrue(p >= Ports.MIN_PORT && p < Ports.MAX_PORT_EXCLUSIVE, "port " + p);
        }
    }
}
