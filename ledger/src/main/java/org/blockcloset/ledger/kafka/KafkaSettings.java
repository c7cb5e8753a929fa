package org.blockcloset.ledger.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the embedded single-node KRaft broker+controller.
 *
 * <p>Every setting is declared once in {@link Key} (name, doc, default). {@link #fromMap(Map)}
 * reads them from flat string properties; anything under {@value #OVERRIDE_PREFIX} is passed to
 * Kafka verbatim (prefix removed) and wins over the values {@link EmbeddedKafka} bakes in.
 *
 * @param dataDirectory  data directory; Kafka's log directory is {@code <data>/kafka}
 * @param nodeId         KRaft node id (broker and controller share it)
 * @param host           address both listeners bind to and the broker advertises
 * @param brokerPort     client listener port, must be in [1, 32768)
 * @param controllerPort controller (Raft) listener port, must be in [1, 32768)
 * @param overrides      raw Kafka broker properties applied last (escape hatch; use with care)
 * @param password       the password of {@link KafkaConnection#USER} on both listeners; the node derives
 *                       it from its cluster secret, {@link #defaults} makes a random one (tests)
 * @param quorum         the node's part in the metadata quorum ({@link Quorum#FIRST} by default)
 */
public record KafkaSettings(Path dataDirectory, int nodeId, String host, int brokerPort,
                            int controllerPort, Map<String, String> overrides, String password, Quorum quorum) {

    /**
     * How this node takes part in the cluster's metadata quorum (ADR 0009).
     *
     * @param clusterId           the cluster to format into (a joining node), or null to use the
     *                            directory's own or make a new one
     * @param controllerBootstrap {@code host:port,...} of controllers to find the quorum through;
     *                            empty: this node forms the quorum itself (the cluster's first node)
     * @param controller          whether this node runs a controller (the first three nodes do)
     */
    public record Quorum(String clusterId, String controllerBootstrap, boolean controller) {
        public static final Quorum FIRST = new Quorum(null, "", true);

        public Quorum {
            controllerBootstrap = controllerBootstrap == null ? "" : controllerBootstrap.trim();
            if (!controller && controllerBootstrap.isEmpty()) {
                throw new IllegalArgumentException("a node without a controller needs controllers to bootstrap from");
            }
        }

        boolean creates() {
            return controllerBootstrap.isEmpty();
        }
    }

    /** Ports at or above this are in Linux's ephemeral range, where TCP self-connect can steal them. */
    public static final int EPHEMERAL_PORT_START = 32768;
    /** Name of Kafka's log directory under the data directory. */
    public static final String LOG_DIRECTORY_NAME = "kafka";
    /** Prefix, in {@link #fromMap(Map)}, of raw Kafka properties passed through as overrides. */
    public static final String OVERRIDE_PREFIX = "override.";

    /** The settings' keys, each declared once: name, documentation, default (null: required). */
    public enum Key {
        DATA_DIRECTORY("data.directory",
                "Data directory; Kafka's log directory is <data>/kafka.", null),
        NODE_ID("node.id",
                "KRaft node id of the single broker+controller.", "1"),
        HOST("host",
                "Address the listeners bind to and the broker advertises.", "127.0.0.1"),
        BROKER_PORT("broker.port",
                "Client listener port; below 32768 (outside the ephemeral range).", "19092"),
        CONTROLLER_PORT("controller.port",
                "Controller (Raft) listener port; below 32768 (outside the ephemeral range).", "19093");

        private final String key;
        private final String doc;
        private final String defaultValue;

        Key(String key, String doc, String defaultValue) {
            this.key = key;
            this.doc = doc;
            this.defaultValue = defaultValue;
        }

        /** Property name. */
        public String key() {
            return key;
        }

        /** One-line description. */
        public String doc() {
            return doc;
        }

        /** Default value as text, or null when the setting is required. */
        public String defaultValue() {
            return defaultValue;
        }

        String read(Map<String, String> properties) {
            String value = properties.get(key);
            if (value == null || value.isBlank()) {
                value = defaultValue;
            }
            if (value == null) {
                throw new IllegalArgumentException("missing required setting '" + key + "': " + doc);
            }
            return value.trim();
        }

        int readInt(Map<String, String> properties) {
            String value = read(properties);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("setting '" + key + "' is not an integer: " + value, e);
            }
        }
    }

    public KafkaSettings {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId must be >= 0: " + nodeId);
        }
        checkPort(Key.BROKER_PORT, brokerPort);
        checkPort(Key.CONTROLLER_PORT, controllerPort);
        if (brokerPort == controllerPort) {
            throw new IllegalArgumentException("broker and controller ports must differ: " + brokerPort);
        }
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
        quorum = quorum == null ? Quorum.FIRST : quorum;
        Objects.requireNonNull(password, "password");
        if (password.length() < 16 || !password.matches("[A-Za-z0-9_-]+")) {
            // Goes into JAAS configs and the formatter's SCRAM argument: keep it to a safe alphabet.
            throw new IllegalArgumentException("the Kafka password must be at least 16 characters of [A-Za-z0-9_-]");
        }
    }

    /** 32 random bytes, base64url: a password for a log that only this process uses (tests). */
    static String randomPassword() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public String toString() {
        return "KafkaSettings[" + dataDirectory + ", node " + nodeId + ", " + host + ":" + brokerPort + "/" + controllerPort + "]";
    }

    private static void checkPort(Key key, int port) {
        if (port < 1 || port >= EPHEMERAL_PORT_START) {
            throw new IllegalArgumentException(key.key() + " must be in [1, " + EPHEMERAL_PORT_START
                    + ") to stay out of the ephemeral range (TCP self-connect): " + port);
        }
    }

    /** Defaults for everything but the data directory; a random password (see {@link #withPassword}). */
    public static KafkaSettings defaults(Path dataDirectory) {
        return fromMap(Map.of(Key.DATA_DIRECTORY.key(), dataDirectory.toString()));
    }

    /** Defaults, with both ports picked by {@link Ports#freePort()} (tests, first start). */
    public static KafkaSettings withFreePorts(Path dataDirectory) {
        return defaults(dataDirectory).withPorts(Ports.freePort(), Ports.freePort());
    }

    /**
     * Reads settings from flat properties named after {@link Key#key()}; properties starting with
     * {@value #OVERRIDE_PREFIX} become {@link #overrides()} with the prefix removed.
     */
    public static KafkaSettings fromMap(Map<String, String> properties) {
        Map<String, String> overrides = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(OVERRIDE_PREFIX) && k.length() > OVERRIDE_PREFIX.length()) {
                overrides.put(k.substring(OVERRIDE_PREFIX.length()), v);
            }
        });
        return new KafkaSettings(
                Path.of(Key.DATA_DIRECTORY.read(properties)),
                Key.NODE_ID.readInt(properties),
                Key.HOST.read(properties),
                Key.BROKER_PORT.readInt(properties),
                Key.CONTROLLER_PORT.readInt(properties),
                overrides,
                randomPassword(),
                Quorum.FIRST);
    }

    /** Copy with other listener ports. */
    public KafkaSettings withPorts(int newBrokerPort, int newControllerPort) {
        return new KafkaSettings(dataDirectory, nodeId, host, newBrokerPort, newControllerPort, overrides, password, quorum);
    }

    /** Copy with these raw Kafka overrides (replacing any previous ones). */
    public KafkaSettings withOverrides(Map<String, String> newOverrides) {
        return new KafkaSettings(dataDirectory, nodeId, host, brokerPort, controllerPort, newOverrides, password, quorum);
    }

    /** Copy with this password for the log's principal (the node passes one derived from its cluster secret). */
    public KafkaSettings withPassword(String newPassword) {
        return new KafkaSettings(dataDirectory, nodeId, host, brokerPort, controllerPort, overrides, newPassword, quorum);
    }

    /** Copy for another node id, address (host) and part in the quorum. */
    public KafkaSettings withNode(int newNodeId, String newHost, Quorum newQuorum) {
        return new KafkaSettings(dataDirectory, newNodeId, newHost, brokerPort, controllerPort, overrides, password, newQuorum);
    }

    /** {@code host:controllerPort}: where this node's controller listens. */
    public String controllerAddress() {
        return host + ":" + controllerPort;
    }

    /** Kafka's log directory: {@code <data>/kafka}. */
    public Path logDirectory() {
        return dataDirectory.resolve(LOG_DIRECTORY_NAME);
    }

    /** {@code host:brokerPort}. */
    public String bootstrapServers() {
        return host + ":" + brokerPort;
    }
}
