package org.blockcloset.ledger.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * How a client reaches the log: the bootstrap servers and the credentials every connection must
 * present (the broker listener refuses unauthenticated clients; ADR 0002). Secrets stay in this
 * object's config map and are never logged by it.
 */
public final class KafkaConnection {
    /** The one principal the nodes of a cluster use on the log. */
    public static final String USER = "blockcloset";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    /** Per request, every client of the log (ADR 0009). */
    public static final int REQUEST_TIMEOUT_MS = 5000;
    /** First and longest wait before a client retries a failed request (ADR 0009). */
    public static final int RETRY_BACKOFF_MS = 20;
    public static final int RETRY_BACKOFF_MAX_MS = 100;
    /** Longest wait between reconnects to a node that is gone (ADR 0009). */
    public static final int RECONNECT_BACKOFF_MAX_MS = 250;

    private final String bootstrapServers;
    private final Map<String, Object> security;

    private KafkaConnection(String bootstrapServers, Map<String, Object> security) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.security = Map.copyOf(security);
    }

    /** SASL/SCRAM-SHA-512 as {@link #USER} with {@code password}. */
    public static KafkaConnection scram(String bootstrapServers, String password) {
        return sasl(bootstrapServers, SCRAM_MECHANISM, "org.apache.kafka.common.security.scram.ScramLoginModule", password);
    }

    /** SASL/PLAIN: used only on loopback, once, to create the SCRAM credential in a log made before it existed. */
    static KafkaConnection plain(String bootstrapServers, String password) {
        return sasl(bootstrapServers, "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule", password);
    }

    private static KafkaConnection sasl(String bootstrapServers, String mechanism, String module, String password) {
        // SASL inside TLS (ADR 0015): the events, the views' changelogs and the followers' fetches
        // cross the LAN encrypted, to a broker holding the cluster's key only.
        Map<String, Object> security = new HashMap<>(ClusterTls.clientProperties(password));
        security.put(SaslConfigs.SASL_MECHANISM, mechanism);
        security.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(module, USER, password, false));
        return new KafkaConnection(bootstrapServers, security);
    }

    static String jaas(String module, String user, String password, boolean server) {
        String entry = module + " required username=\"" + user + "\" password=\"" + password + "\"";
        return (server ? entry + " user_" + user + "=\"" + password + "\"" : entry) + ";";
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh client config: bootstrap servers and credentials; add the client's own settings to it. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>(security);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // After a node dies, clients retry towards the new leader (or coordinator) within a tenth of
        // a second: Kafka's default backoff starts at 100 ms and grows to 1 s, and one failover walks
        // the views' commit through several retries in a row (ADR 0009).
        c.put(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
        c.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, RETRY_BACKOFF_MAX_MS);
        // A client learns a dead leader's successor from the metadata it asks for after each failed
        // reconnect: with Kafka's default (growing to 1 s between attempts) that added up to a second
        // to a failover. Each attempt costs a reverse DNS lookup of the address (ADR 0009): cheap when
        // the hosts list each other, as the README asks.
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        // A paused node keeps its connections open without answering: give up on a request after a
        // few seconds and retry towards the new leader (idempotent producers make that safe), rather
        // than wait the default 30 s.
        c.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        return c;
    }

    @Override
    public String toString() {
        return "KafkaConnection[" + bootstrapServers + ", " + security.get(SaslConfigs.SASL_MECHANISM) + "]";
    }
}
