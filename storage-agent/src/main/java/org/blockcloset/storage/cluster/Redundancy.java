package org.blockcloset.storage.cluster;

import org.blockcloset.ledger.cluster.Liveness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;

/**
 * Whether the store's data survives one more node going down, computed when asked from who is up
 * at that moment: never from the last repair pass. The one line people ask for, in
 * {@code ops/blockcloset status}, the console's overview, {@code /healthcheck} and a gauge
 * (ADR 0011):
 * <ul>
 * <li>{@code OK}: every referenced block has all its copies (its bucket's factor) on running nodes
 * that are known to hold it;</li>
 * <li>{@code DEGRADED}: some block has fewer such copies than it should; another node must not go
 * down;</li>
 * <li>{@code UNAVAILABLE}: some block has no copy on a running node.</li>
 * </ul>
 * A node counts as up only if its heartbeats arrive ({@link Liveness}) <em>and</em> its cluster port
 * takes a connection right now (a node killed a moment ago refuses it before its heartbeats are
 * missed). A copy counts only on a node in the block's place in the current layout that is up, has
 * finished a repair pass over this very layout version and the buckets' current numbers of copies,
 * holding everything they place on it ({@code settledLayout}, {@code settledFactors} in its
 * heartbeat; a scrub that deletes a corrupt copy unsettles it), and is not recorded as having missed
 * the block's write. A block is unavailable when no node of its place is up without having missed
 * its write, or when a repair over the current layout found it on no node.
 * So after a layout change the status says DEGRADED until the nodes have checked their disks
 * against the new layout (the copies may be on their old holders meanwhile): it may say DEGRADED
 * while the data is safe, never OK while it is not.
 */
public final class Redundancy {
    /** How long a probe of a node's cluster port may take. */
    static final int PROBE_MILLIS = 300;

    public enum State { OK, DEGRADED, UNAVAILABLE, SINGLE }

    /**
     * @param underReplicated blocks with fewer known copies on running nodes than their factor
     * @param unavailable     blocks with no copy on a running node (their place's nodes all down, or found on no node by a repair)
     * @param down            members that are not up now
     * @param unsettled       members up but not yet known to hold everything the current layout places on them
     */
    public record Report(State state, long underReplicated, long unavailable, List<String> down, List<String> unsettled,
                         long layoutVersion, String line) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", state.name());
            m.put("line", line);
            m.put("underReplicatedBlocks", underReplicated);
            m.put("unavailableBlocks", unavailable);
            m.put("down", down);
            m.put("unsettled", unsettled);
            m.put("layoutVersion", layoutVersion);
            return m;
        }
    }

    private final Ledger ledger;
    private final Liveness liveness;
    private final String self;
    private final Function<String, Integer> copiesFor;
    private final Predicate<ClusterNode> reachable;
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "redundancy-probe");
        t.setDaemon(true);
        return t;
    });

    public Redundancy(Ledger ledger, Liveness liveness, String self, Function<String, Integer> copiesFor) {
        this.ledger = ledger;
        this.liveness = liveness;
        this.self = self;
        this.copiesFor = copiesFor;
        this.reachable = this::probe;
    }

    /** Stops the probes' threads. */
    public void close() {
        probes.shutdownNow();
    }

    private volatile Report recent;
    private volatile long recentAt;

    /** A report no older than {@code age} (for gauges read several at a time by one scrape). */
    public Report atMostAgo(java.time.Duration age) {
        Report r = recent;
        if (r == null || System.nanoTime() - recentAt > age.toNanos()) {
            r = now();
        }
        return r;
    }

    /** The cluster's redundancy at this moment. */
    public Report now() {
        Report r = compute();
        recent = r;
        recentAt = System.nanoTime();
        return r;
    }

    private Report compute() {
        List<ClusterNode> members = ledger.views().nodes();
        Layout layout = ledger.views().layout();
        if (members.size() <= 1 || layout.partitions().isEmpty()) {
            return new Report(State.SINGLE, 0, 0, List.of(), List.of(), layout.version(),
                    "Redundancy: NONE (a single node keeps one copy of each block; add nodes to survive the loss of one)");
        }
        Map<String, Boolean> up = upNow(members);
        List<String> down = members.stream().map(ClusterNode::nodeId).filter(n -> !up.get(n)).sorted().toList();
        List<String> unsettled = new ArrayList<>();
        Set<String> settled = new java.util.HashSet<>();
        int factorsNow = org.blockcloset.storage.care.Repairer.factorsDigest(ledger, copiesFor::apply);
        for (ClusterNode n : members) {
            if (!up.get(n.nodeId())) {
                continue;
            }
            Liveness.Status st = liveness.status(n.nodeId());
            Liveness.Repair r = st.last() == null ? null : st.last().repair();
            if (r != null && r.settledLayout() == layout.version() && r.layoutVersion() == layout.version()
                    && r.settledFactors() == factorsNow) {
                settled.add(n.nodeId());
            } else if (layout.counts().getOrDefault(n.nodeId(), 0) > 0) {
                unsettled.add(n.nodeId());
            }
        }
        long[] under = new long[1];
        long[] unavailable = new long[1];
        Map<String, Integer> factors = new HashMap<>();
        boolean anyOneCopy = ledger.views().buckets().stream().anyMatch(b -> copiesFor.apply(b.name()) == 1);
        boolean missedSome = ledger.views().underReplicatedCount() > 0;
        boolean everyHolderCounts = layout.counts().keySet().stream().allMatch(settled::contains);
        if (everyHolderCounts && !missedSome) {
            // Every node holding partitions is up now and holds all the layout places on it: no block
            // can lack a copy, so the block references need not be counted.
            return new Report(State.OK, 0, 0, down, unsettled, layout.version(), okLine(anyOneCopy));
        }
        ledger.views().forEachBlockReference((bucket, ref) -> {
            int r = factors.computeIfAbsent(bucket, copiesFor);
            List<String> holders = layout.replicas(ref.id(), r);
            List<String> missed = missedSome ? ledger.views().underReplicated(ref.id()) : List.of();
            int good = 0;
            boolean anyUp = false;
            for (String h : holders) {
                if (up.getOrDefault(h, false) && !missed.contains(h)) {
                    anyUp = true; // may hold it (once settled, known to)
                    if (settled.contains(h)) {
                        good++;
                    }
                }
            }
            if (!anyUp) {
                unavailable[0]++;
            } else if (good < r) {
                under[0]++;
            }
        });
        for (ClusterNode n : members) {
            if (!up.get(n.nodeId())) {
                continue;
            }
            Liveness.Status st = liveness.status(n.nodeId());
            Liveness.Repair r = st.last() == null ? null : st.last().repair();
            if (r != null && r.layoutVersion() == layout.version() && r.lostBlocks() > 0) {
                // found on no node by its repair over this layout: no running node has them
                unavailable[0] += r.lostBlocks();
                under[0] = Math.max(0, under[0] - r.lostBlocks());
            }
        }
        State state = unavailable[0] > 0 ? State.UNAVAILABLE : under[0] > 0 ? State.DEGRADED : State.OK;
        String line = switch (state) {
            case OK -> okLine(anyOneCopy);
            case DEGRADED -> "Redundancy: DEGRADED: " + under[0] + " block(s) have fewer copies than they should"
                    + reason(down, unsettled) + "; do not take another node down";
            case UNAVAILABLE -> "Redundancy: UNAVAILABLE: " + unavailable[0] + " block(s) have no copy on a running node"
                    + reason(down, unsettled)
                    + (under[0] > 0 ? "; " + under[0] + " more have fewer copies than they should" : "");
            case SINGLE -> throw new IllegalStateException();
        };
        return new Report(state, under[0], unavailable[0], down, unsettled, layout.version(), line);
    }

    private static String okLine(boolean anyOneCopy) {
        return "Redundancy: OK (any one node may go down" + (anyOneCopy ? "; buckets keeping one copy excepted" : "") + ")";
    }

    private static String reason(List<String> down, List<String> unsettled) {
        List<String> why = new ArrayList<>();
        if (!down.isEmpty()) {
            why.add("down: " + String.join(", ", down));
        }
        if (!unsettled.isEmpty()) {
            why.add("still copying or checking against layout changes: " + String.join(", ", unsettled));
        }
        return why.isEmpty() ? "" : " (" + String.join("; ", why) + ")";
    }

    /** Each member's state now: its heartbeats arrive and its cluster port takes a connection (probed in parallel). */
    private Map<String, Boolean> upNow(List<ClusterNode> members) {
        Map<String, CompletableFuture<Boolean>> probing = new LinkedHashMap<>();
        for (ClusterNode n : members) {
            if (n.nodeId().equals(self)) {
                probing.put(n.nodeId(), CompletableFuture.completedFuture(true));
            } else if (!liveness.isUp(n.nodeId())) {
                probing.put(n.nodeId(), CompletableFuture.completedFuture(false));
            } else {
                probing.put(n.nodeId(), CompletableFuture.supplyAsync(() -> reachable.test(n), probes));
            }
        }
        Map<String, Boolean> out = new HashMap<>();
        probing.forEach((id, f) -> {
            try {
                out.put(id, f.get(PROBE_MILLIS * 3L, TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                out.put(id, false);
            }
        });
        return out;
    }

    private boolean probe(ClusterNode n) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(n.address().host(), n.address().clusterPort()), PROBE_MILLIS);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
