package org.blockcloset.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The node's settings, typed and validated. blockcloset.yml (bundled in the jar) declares each with
 * its default (NodeSettings) and fills them from BLOCKCLOSET_* environment variables, which the env/
 * files set; see README. No default is written here: every field has its line in the YAML.
 */
public class BlockClosetConfiguration extends Configuration {
    /** Where the node keeps everything: blocks, the Kafka log, the views' state, the bootstrap key. */
    @NotEmpty
    @JsonProperty
    public String dataDir;

    /** The space the owner lends to the store on this host. */
    @NotNull
    @JsonProperty
    public DataSize capacity;

    @NotNull
    @JsonProperty
    @io.dropwizard.validation.MaxDataSize(value = 64, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    public DataSize blockSize;

    @Min(1)
    @Max(32767)
    @JsonProperty
    public int kafkaPort;

    @Min(1)
    @Max(32767)
    @JsonProperty
    public int kafkaControllerPort;

    /** The cluster port: node-to-node calls (block API), authenticated with the cluster secret. */
    @Min(1)
    @Max(65535)
    @JsonProperty
    public int clusterPort;

    /** Address the cluster port binds to: loopback on a single host, the LAN address in a cluster. */
    @NotEmpty
    @JsonProperty
    public String clusterBind;

    /** {@code host:clusterPort} of any member, to join its cluster at the first start (with {@link #joinToken}). */
    @JsonProperty
    public String join;

    /** A join token an admin created on a member (POST /api/join-tokens). */
    @JsonProperty
    public String joinToken;

    /**
     * mDNS/DNS-SD on the LAN: {@code auto} (members announce the cluster when the advertised address
     * is not loopback), {@code on}, {@code off}. A node with a join token and no {@link #join} finds
     * the cluster this way.
     */
    @NotEmpty
    @Pattern(regexp = "(?i)auto|on|off", message = "must be auto, on or off")
    @JsonProperty
    public String discovery;

    /** Host the other nodes reach this one at (its LAN address in a cluster). */
    @NotEmpty
    @JsonProperty
    public String advertise;

    /** Failure domain label (a room, a power circuit); replicas go to distinct zones where there are enough. */
    @NotNull
    @JsonProperty
    public String zone;

    /** {@code storage} (lends disk), {@code gateway} (serves S3 and the console), or both. */
    @NotNull
    @JsonProperty
    public java.util.Set<@jakarta.validation.constraints.Pattern(regexp = "storage|gateway") String> roles;

    /** The most copies of each block the layout keeps (fewer while fewer nodes lend disk). */
    @Min(1)
    @Max(3)
    @JsonProperty
    public int replication;

    @NotEmpty
    @JsonProperty
    public String region;

    /** Host names under which buckets are addressed virtual-host style ({@code bucket.<domain>}). */
    @NotNull
    @JsonProperty
    public List<String> domains;

    @JsonProperty
    public String accessKeyId;

    @JsonProperty
    public String secretAccessKey;

    /** How long an unreferenced block stays before garbage collection removes it. */
    @NotNull
    @JsonProperty
    public Duration gcGrace;

    @NotNull
    @JsonProperty
    public Duration gcInterval;

    /** How long a node may be down before its blocks are copied again elsewhere (0: at once). */
    @NotNull
    @JsonProperty
    public Duration repairGrace;

    /** Bytes per second a node copies at most for repair and rebalancing. */
    @NotNull
    @JsonProperty
    public DataSize repairBandwidth;

    /** How long a full scrub pass (re-reading and checking every block) takes at most. */
    @NotNull
    @JsonProperty
    public Duration scrubPeriod;

    /** Pause between two repair passes (each compares this node's disk with the layout). */
    @NotNull
    @JsonProperty
    public Duration repairInterval;

    /** An S3 request that takes at least this long is kept in the console's slow-request log. */
    @NotNull
    @JsonProperty
    public Duration slowRequest;

    /** How often the console's request charts take a sample (they show the last 60). */
    @NotNull
    @JsonProperty
    public Duration chartInterval;

    /** The length of a lifecycle rule's "day" (24 hours; tests shorten it to watch rules act). */
    @NotNull
    @JsonProperty
    public Duration lifecycleDay;

    /** Whether S3 takes AWS Signature Version 2 too (older tools and backup appliances), besides version 4. */
    @JsonProperty
    public boolean sigV2;

    /** How often buckets' lifecycle rules are evaluated. */
    @NotNull
    @JsonProperty
    public Duration lifecycleInterval;

    /** When set, {@code /metrics} on the admin port needs it as a bearer token; when empty it is open. */
    @JsonProperty
    public String metricsToken;

    /**
     * BLOCKCLOSET_TLS_CERT: a PEM certificate chain for the S3 and admin ports, or "self-signed" for
     * one the node makes (empty: plain HTTP). See {@link org.blockcloset.storage.node.NodeTls}.
     */
    public String tlsCert;

    /** BLOCKCLOSET_TLS_KEY: the PEM private key of BLOCKCLOSET_TLS_CERT. */
    public String tlsKey;

    /** BLOCKCLOSET_ALERT_WEBHOOK: where alerts are POSTed (empty: none). */
    public String alertWebhook;

    /** How long a request waits for the log to acknowledge and the views to apply its event. */
    @NotNull
    @JsonProperty
    public Duration applyTimeout;
}
