package org.blockcloset.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.blockcloset.ledger.Ledger;

/** What the console needs from the node beyond the log and its views; the node application implements it. */
public interface ConsoleBackend {
    Ledger ledger();

    /** This node's S3 port (the console links the S3 endpoint on the host the browser used). */
    int s3Port();

    /** "https" when the S3 port speaks TLS (BLOCKCLOSET_TLS_CERT), else "http". */
    default String s3Scheme() {
        return "http";
    }

    String region();

    /** The first access key (id, secret) when this node made it, for the connect page. */
    Optional<AccessKeyPair> bootstrapKey();

    /** Where access keys are made, limited and revoked (the admin API uses the same service). */
    org.blockcloset.ledger.service.AccessKeyService accessKeys();

    /** Where buckets are made, deleted and given quotas and copies (S3 and the admin API use the same rules). */
    default org.blockcloset.ledger.service.BucketService buckets() {
        return new org.blockcloset.ledger.service.BucketService(ledger(), java.time.Clock.systemUTC());
    }

    /** The copies each block of a bucket gets (its factor, or the cluster default). */
    int copiesFor(String bucket);

    /** The cluster as {@code GET /api/cluster} answers it. */
    Map<String, Object> cluster();

    /** Waits for this node's views to hold every write acknowledged anywhere before now; false if the log cannot be asked. */
    boolean readBarrier();

    /**
     * Where the layout places a block's copies and whether each of those nodes has it ("has",
     * "missing", "unreachable").
     */
    List<Map<String, String>> holders(org.blockcloset.ledger.model.BlockRef block, int copies);

    /**
     * Stores an object from a stream of exactly {@code length} bytes, as a PutObject does (blocks
     * durable on a quorum, then the event); returns its ETag.
     */
    String putObject(String actor, String source, String bucket, String key, String contentType, long length,
                     java.io.InputStream body) throws Refused, java.io.IOException;

    /**
     * A presigned GET URL of an object on this node's S3 endpoint at {@code host}, signed with the
     * console's share key (revoking that key on the Keys page voids every link it signed).
     */
    String presignGet(String host, String bucket, String key, java.time.Duration expires, Map<String, String> extra)
            throws Exception;

    /** Events in the log this node's views have not applied yet; -1 when the log's end cannot be read. */
    long viewLag();

    /** The node's version ("dev" when run from a build tree). */
    String version();

    /** The node's settings, for the diagnostic bundle, with every secret left out. */
    Map<String, Object> settingsWithoutSecrets();

    /** A single-use join token (valid one hour) and the command to run on the new host. */
    Map<String, Object> createJoinToken(String actor) throws Exception;

    /** Drains or removes a node, as {@code POST /api/nodes/{id}/{action}} does; the answer has its HTTP "status". */
    Map<String, Object> nodeAction(String actor, String nodeId, String action);

    /**
     * Previews ({@code apply} false) or makes a change of a node's capacity and zone, as
     * {@code POST /api/nodes/{id}/capacity} does: partition copies and bytes that would move, usable
     * space before and after; the answer has its HTTP "status".
     */
    Map<String, Object> capacityChange(String actor, String nodeId, String capacity, String zone, boolean apply);

    /**
     * Partitions of the log whose leader is this node's broker and that have fewer in-sync replicas
     * than replicas (the broker's own count); -1 when unknown.
     */
    default long underReplicatedLogPartitions() {
        return -1;
    }

    /**
     * Nodes on the LAN that announce themselves as waiting to join (mDNS discovery), each with
     * "nodeId", "address" and "since"; empty where discovery is off.
     */
    default List<Map<String, Object>> waitingToJoin() {
        return List.of();
    }

    /** Sends a test alert to the webhook now; says how it went. */
    default String sendTestAlert(String actor) {
        return "no webhook is set (BLOCKCLOSET_ALERT_WEBHOOK)";
    }

    /** This node's scrub: state, blocks checked, corrupt blocks found in the current or last pass. */
    default Map<String, Object> scrubStatus() {
        return Map.of();
    }

    record AccessKeyPair(String accessKeyId, String secretAccessKey) {
    }

    /** A request the store refuses, with the HTTP status and a message for people. */
    final class Refused extends Exception {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
