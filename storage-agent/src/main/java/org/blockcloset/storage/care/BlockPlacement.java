package org.blockcloset.storage.care;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.remote.BlockClient;
import org.blockcloset.storage.remote.ClusterCredentials;

/**
 * Where a block goes and where to find it, from this node's copy of the layout and the membership
 * (ADR 0008): no lookup crosses the network. Holds one block API client per other node.
 */
public final class BlockPlacement {
    /** How long a replica may take to answer one block request before it counts as missing. */
    public static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(2);

    private final Ledger ledger;
    private final String self;
    private final ClusterCredentials credentials;
    private final HttpClient http;
    private final Map<String, BlockClient> clients = new ConcurrentHashMap<>();
    private volatile java.util.function.Predicate<String> writable = node -> true;
    private final Map<String, Long> refused = new ConcurrentHashMap<>();
    private static final Duration REFUSED_PENALTY = Duration.ofSeconds(5);
    private volatile java.util.function.Predicate<String> up = node -> true;

    /** @param tls the cluster port's TLS ({@code NodeIdentity.clusterPortTls}): other nodes are reached only through it */
    public BlockPlacement(Ledger ledger, String self, ClusterCredentials credentials, javax.net.ssl.SSLContext tls) {
        this.ledger = ledger;
        this.self = self;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Consults liveness: writes skip nodes that are not {@code writable}, reads ask {@code up} ones first. */
    public void useLiveness(java.util.function.Predicate<String> writable, java.util.function.Predicate<String> up) {
        this.writable = writable;
        this.up = up;
    }

    public boolean writable(String nodeId) {
        if (nodeId.equals(self)) {
            return true;
        }
        Long refusedAt = refused.get(nodeId);
        if (refusedAt != null && System.nanoTime() - refusedAt < REFUSED_PENALTY.toNanos()) {
            return false; // it refused a connection just now: heartbeats would take seconds to say so
        }
        return writable.test(nodeId);
    }

    /** A node refused a connection (its process is gone): no copies go there for a few seconds. */
    public void refused(String nodeId) {
        refused.put(nodeId, System.nanoTime());
    }

    /**
     * How long a copy may go unanswered before its node counts as stalled: well past a healthy
     * node's answer (milliseconds for a small block, a few hundred for 1 MiB on a busy machine),
     * well before heartbeats call it suspect (5 s).
     */
    public static final Duration STALLED_AFTER = Duration.ofSeconds(1);
    /** Copies sent to each node and not answered yet: node → (ticket → nanoTime sent). */
    private final Map<String, Map<Long, Long>> unanswered = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong tickets = new java.util.concurrent.atomic.AtomicLong();

    /** A copy to {@code nodeId} is on its way; hand the ticket to {@link #copyAnswered} when it returns, however. */
    public long copySent(String nodeId) {
        return copySent(nodeId, System.nanoTime());
    }

    public long copySent(String nodeId, long now) {
        long ticket = tickets.incrementAndGet();
        unanswered.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>()).put(ticket, now);
        return ticket;
    }

    public void copyAnswered(String nodeId, long ticket) {
        copyAnswered(nodeId, ticket, System.nanoTime());
    }

    public void copyAnswered(String nodeId, long ticket, long now) {
        Map<Long, Long> m = unanswered.get(nodeId);
        if (m != null) {
            m.remove(ticket);
        }
        lastAnswer.put(nodeId, now);
    }

    /** When each node last answered a copy (succeeded or failed). */
    private final Map<String, Long> lastAnswer = new ConcurrentHashMap<>();
    /** An unanswered copy older than this has been given up on by its own timeout: a ticket left behind, ignored. */
    private static final Duration FORGOTTEN_AFTER = REPLICA_TIMEOUT.multipliedBy(4);

    /**
     * Whether a copy sent to {@code nodeId} has gone unanswered for {@link #STALLED_AFTER}, and the
     * node has answered nothing else meanwhile: a node that is paused, cut off, or whose disk hangs.
     * Its connections stay open, so unlike a dead one it refuses nothing, and heartbeats take
     * seconds to tell.
     */
    public boolean stalled(String nodeId) {
        return stalled(nodeId, System.nanoTime());
    }

    public boolean stalled(String nodeId, long now) {
        Map<Long, Long> m = unanswered.get(nodeId);
        if (m == null || m.isEmpty()) {
            return false;
        }
        // A node that answers, however slowly (a busy one: 1 MiB copies under load take most of a
        // second), is not stalled: only one silent for STALLED_AFTER with a copy waiting that long.
        Long answered = lastAnswer.get(nodeId);
        if (answered != null && now - answered <= STALLED_AFTER.toNanos()) {
            return false;
        }
        for (long sent : m.values()) {
            long age = now - sent;
            if (age > STALLED_AFTER.toNanos() && age < FORGOTTEN_AFTER.toNanos()) {
                return true;
            }
        }
        return false;
    }

    /** {@code nodes}, the ones that are up first (stable otherwise). */
    public List<String> upFirst(List<String> nodes) {
        List<String> out = new ArrayList<>(nodes.stream().filter(up).toList());
        nodes.stream().filter(n -> !up.test(n)).forEach(out::add);
        return out;
    }

    public String self() {
        return self;
    }

    /** The nodes meant to hold {@code id}, first choice first (just this node before any layout exists). */
    public List<String> replicas(BlockId id) {
        Layout layout = ledger.views().layout();
        if (layout.partitions().isEmpty()) {
            return List.of(self);
        }
        return layout.replicas(id, layout.replication());
    }

    /** The first {@code copies} of {@code id}'s replicas: where a write to a bucket keeping that many copies goes. */
    public List<String> replicas(BlockId id, int copies) {
        List<String> all = replicas(id);
        return all.subList(0, Math.min(copies, all.size()));
    }

    /** Copies a bucket's new writes keep: its own factor if it has one, never more than the layout keeps. */
    public int copiesFor(String bucket) {
        return copiesFor(bucket == null ? null : ledger.views().bucket(bucket).orElse(null));
    }

    /** {@link #copiesFor(String)} of a bucket read already (null: none). */
    public int copiesFor(org.blockcloset.ledger.model.Bucket bucket) {
        int layout = Math.max(1, ledger.views().layout().replication());
        Integer own = bucket == null ? null : bucket.replication();
        return own == null ? layout : Math.max(1, Math.min(own, layout));
    }

    /** The other members, after {@code id}'s replicas: where a copy may also be (read fallbacks). */
    public List<String> others(List<String> replicas) {
        List<String> out = new ArrayList<>();
        for (ClusterNode n : ledger.views().nodes()) {
            if (!replicas.contains(n.nodeId()) && !n.nodeId().equals(self)) {
                out.add(n.nodeId());
            }
        }
        return out;
    }

    /** The other members that lend disk, after {@code id}'s replicas: where a fallback copy may go. */
    public List<String> otherLenders(List<String> replicas) {
        List<String> out = new ArrayList<>();
        for (ClusterNode n : ledger.views().nodes()) {
            if (n.lends() && !replicas.contains(n.nodeId()) && !n.nodeId().equals(self)) {
                out.add(n.nodeId());
            }
        }
        return out;
    }

    /** Whether this node lends disk (may hold a fallback copy). */
    public boolean lendsHere() {
        return ledger.views().node(self).map(ClusterNode::lends).orElse(false);
    }

    /** Copies that must be durable before a write is acknowledged: two when the write keeps two or more. */
    public static int writeQuorum(int copies) {
        return Math.max(1, Math.min(2, copies));
    }

    /** Whether another node's copy of a block may be needed (a cluster, not a single node). */
    public boolean clustered() {
        return ledger.views().nodes().size() > 1;
    }

    public BlockClient client(String nodeId) {
        ClusterNode n = ledger.views().node(nodeId).orElseThrow(() -> new IllegalStateException("unknown node " + nodeId));
        // Keyed by address: a node that moved (NodeCapacityChanged with an address) gets a new client.
        return clients.computeIfAbsent(n.address().clusterUrl(), url -> new BlockClient(URI.create(url), self, credentials,
                http, REPLICA_TIMEOUT, Clock.systemUTC()));
    }
}
