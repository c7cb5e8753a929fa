package org.blockcloset.ledger.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a {@link Layout} that stores as much as the nodes' capacities allow at a replication
 * factor, and moves as little as possible from the previous layout (ADR 0008; the approach of
 * Garage's layout, simplified).
 *
 * <ol>
 *   <li>The partition size {@code s} is the largest for which the nodes can take {@code r} replicas
 *       of every partition: {@code Σ min(P, ⌊c_i / s⌋) ≥ r·P}, each node at most once per partition
 *       (and, when there are at least {@code r} zones, each zone at most once). Usable space is
 *       {@code P·s}, the theoretical maximum up to rounding to whole partitions.</li>
 *   <li>Each node's share {@code n_i ≤ ⌊c_i / s⌋} is set in proportion to those bounds, summing to
 *       {@code r·P}.</li>
 *   <li>The assignment is a min-cost max flow (node → partition, at most once per node and per zone
 *       in a partition), where a partition a node held before costs nothing to keep and a new one
 *       costs one: no valid assignment moves fewer replicas.</li>
 * </ol>
 */
public final class LayoutPlanner {
    /** A node that lends disk: its id, failure domain (may be empty) and lent bytes. */
    public record Member(String nodeId, String zone, long capacity) {
    }

    private LayoutPlanner() {
    }

    public static Layout plan(List<Member> members, int replication, Layout previous) {
        List<Member> lending = members.stream().filter(m -> m.capacity() > 0)
                .sorted(Comparator.comparing(Member::nodeId)).toList();
        int r = Math.min(replication, lending.size());
        int version = previous.version() + 1;
        if (r == 0) {
            return new Layout(version, 0, 0, List.of());
        }
        int parts = Layout.PARTITIONS;
        boolean zoned = distinctZones(lending) >= r;
        long s = partitionSize(lending, r, parts, zoned);
        int[] share = shares(lending, r, parts, s, zoned);
        List<List<String>> assigned = assign(lending, share, r, parts, zoned, previous);
        if (assigned == null) {
            throw new IllegalStateException("no assignment for " + lending + " at r=" + r); // cannot happen: see shares()
        }
        return new Layout(version, r, s, assigned);
    }

    /** The usable bytes the formula of the cluster issue predicts: min over k of (Σ all but the k largest) / (r − k). */
    public static long theoreticalMaximum(List<Long> capacities, int r) {
        List<Long> c = capacities.stream().filter(x -> x > 0).sorted(Comparator.reverseOrder()).toList();
        r = Math.min(r, c.size());
        long best = Long.MAX_VALUE;
        for (int k = 0; k < r; k++) {
            long rest = c.subList(k, c.size()).stream().mapToLong(Long::longValue).sum();
            best = Math.min(best, rest / (r - k));
        }
        return r == 0 ? 0 : best;
    }

    private static long distinctZones(List<Member> ms) {
        return ms.stream().map(m -> m.zone() == null ? "" : m.zone()).distinct().count();
    }

    /** Replica slots the members can take at partition size s. */
    private static long slots(List<Member> ms, long s, int parts, boolean zoned) {
        if (!zoned) {
            return ms.stream().mapToLong(m -> Math.min(parts, m.capacity() / s)).sum();
        }
        Map<String, Long> perZone = new HashMap<>();
        ms.forEach(m -> perZone.merge(zone(m), Math.min(parts, m.capacity() / s), Long::sum));
        return perZone.values().stream().mapToLong(v -> Math.min(parts, v)).sum();
    }

    private static long partitionSize(List<Member> ms, int r, int parts, boolean zoned) {
        long lo = 1;
        long hi = ms.stream().mapToLong(Member::capacity).max().orElse(1);
        if (slots(ms, lo, parts, zoned) < (long) r * parts) {
            return 0; // less than a byte per partition: nothing usable
        }
        while (lo < hi) { // largest s with enough slots
            long mid = lo + (hi - lo + 1) / 2;
            if (slots(ms, mid, parts, zoned) >= (long) r * parts) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Shares n_i ≤ bound_i summing to r·P, proportional to the bounds (largest remainders). */
    private static int[] shares(List<Member> ms, int r, int parts, long s, boolean zoned) {
        int n = ms.size();
        long[] bound = new long[n];
        for (int i = 0; i < n; i++) {
            bound[i] = s == 0 ? parts : Math.min(parts, ms.get(i).capacity() / s);
        }
        if (zoned) { // a zone takes each partition at most once: trim its nodes' bounds to P in total
            Map<String, List<Integer>> byZone = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                byZone.computeIfAbsent(zone(ms.get(i)), z -> new ArrayList<>()).add(i);
            }
            for (List<Integer> idx : byZone.values()) {
                long sum = idx.stream().mapToLong(i -> bound[i]).sum();
                if (sum > parts) {
                    long[] trimmed = apportion(idx.stream().mapToLong(i -> bound[i]).toArray(), parts);
                    for (int k = 0; k < idx.size(); k++) {
                        bound[idx.get(k)] = trimmed[k];
                    }
                }
            }
        }
        long[] sh = apportion(bound, (long) r * parts);
        return Arrays.stream(sh).mapToInt(x -> (int) x).toArray();
    }

    /** Splits {@code total} in proportion to {@code weights}, never above a weight. */
    private static long[] apportion(long[] weights, long total) {
        long sum = Arrays.stream(weights).sum();
        long[] out = new long[weights.length];
        double[] frac = new double[weights.length];
        long given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = sum == 0 ? 0 : (double) weights[i] * total / sum;
            out[i] = Math.min(weights[i], (long) Math.floor(exact));
            frac[i] = exact - out[i];
            given += out[i];
        }
        while (given < total) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (out[i] < weights[i] && (best < 0 || frac[i] > frac[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            out[best]++;
            frac[best] = -1;
            given++;
        }
        return out;
    }

    /**
     * Taking a new partition costs {@link #NEW_COST} plus a small jitter fixed per (node, partition):
     * the fewest moves come first, and among equal choices partners are spread pseudo-randomly, so
     * that when a node later leaves, its partitions' other holders are many and its share can be
     * taken without moving anything else.
     */
    private static final int NEW_COST = 1_000;

    private static int jitter(Member m, int partition) {
        int h = (m.nodeId().hashCode() * 31 + partition) * 0x9E3779B1;
        return (h >>> 24) % 100;
    }

    private static String zone(Member m) {
        return m.zone() == null ? "" : m.zone();
    }

    /**
     * Assigns every node its share of partition replicas, at most once per partition (and per zone),
     * by a min-cost max flow in which keeping a partition it held before costs 0 and taking a new one
     * costs 1: the result moves the fewest replicas any valid assignment can. Null if infeasible.
     */
    private static List<List<String>> assign(List<Member> ms, int[] share, int r, int parts, boolean zoned, Layout previous) {
        int n = ms.size();
        CostFlow f = new CostFlow();
        int source = f.vertex();
        int sink = f.vertex();
        int[] nodeV = new int[n];
        for (int i = 0; i < n; i++) {
            nodeV[i] = f.vertex();
            f.edge(source, nodeV[i], share[i], 0);
        }
        int[][] edgeOf = new int[n][parts];
        for (int p = 0; p < parts; p++) {
            int pv = f.vertex();
            f.edge(pv, sink, r, 0);
            List<String> before = p < previous.partitions().size() ? previous.partitions().get(p) : List.of();
            Map<String, Integer> zoneV = new HashMap<>();
            for (int i = 0; i < n; i++) {
                int target = pv;
                if (zoned) {
                    target = zoneV.computeIfAbsent(zone(ms.get(i)), z -> {
                        int zv = f.vertex();
                        f.edge(zv, pv, 1, 0);
                        return zv;
                    });
                }
                edgeOf[i][p] = f.edge(nodeV[i], target, 1, before.contains(ms.get(i).nodeId()) ? 0 : NEW_COST + jitter(ms.get(i), p));
            }
        }
        if (f.run(source, sink) < (long) r * parts) {
            return null;
        }
        List<List<String>> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            List<String> before = p < previous.partitions().size() ? previous.partitions().get(p) : List.of();
            List<String> holders = new ArrayList<>();
            for (String node : before) { // kept holders first, in their old order: prefixes stay stable
                for (int i = 0; i < n; i++) {
                    if (ms.get(i).nodeId().equals(node) && f.used(edgeOf[i][p])) {
                        holders.add(node);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (f.used(edgeOf[i][p]) && !holders.contains(ms.get(i).nodeId())) {
                    holders.add(ms.get(i).nodeId());
                }
            }
            out.add(holders);
        }
        return out;
    }

    /** Min-cost max flow by successive shortest paths (SPFA); small graphs: nodes × partitions edges. */
    private static final class CostFlow {
        private final List<int[]> edges = new ArrayList<>(); // {to, cap, cost, original cap}
        private final List<List<Integer>> adj = new ArrayList<>();

        int vertex() {
            adj.add(new ArrayList<>());
            return adj.size() - 1;
        }

        int edge(int from, int to, int cap, int cost) {
            int id = edges.size();
            edges.add(new int[] {to, cap, cost, cap});
            adj.get(from).add(id);
            edges.add(new int[] {from, 0, -cost, 0});
            adj.get(to).add(id + 1);
            return id;
        }

        boolean used(int edge) {
            return edges.get(edge)[1] < edges.get(edge)[3];
        }

        long run(int s, int t) {
            long flow = 0;
            int v = adj.size();
            while (true) {
                long[] dist = new long[v];
                int[] via = new int[v];
                boolean[] queued = new boolean[v];
                Arrays.fill(dist, Long.MAX_VALUE);
                Arrays.fill(via, -1);
                dist[s] = 0;
                java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(s));
                while (!queue.isEmpty()) {
                    int x = queue.poll();
                    queued[x] = false;
                    for (int e : adj.get(x)) {
                        int[] ed = edges.get(e);
                        if (ed[1] > 0 && dist[x] + ed[2] < dist[ed[0]]) {
                            dist[ed[0]] = dist[x] + ed[2];
                            via[ed[0]] = e;
                            if (!queued[ed[0]]) {
                                queued[ed[0]] = true;
                                queue.add(ed[0]);
                            }
                        }
                    }
                }
                if (dist[t] == Long.MAX_VALUE) {
                    return flow;
                }
                int push = Integer.MAX_VALUE;
                for (int x = t; x != s; x = edges.get(via[x] ^ 1)[0]) {
                    push = Math.min(push, edges.get(via[x])[1]);
                }
                for (int x = t; x != s; x = edges.get(via[x] ^ 1)[0]) {
                    edges.get(via[x])[1] -= push;
                    edges.get(via[x] ^ 1)[1] += push;
                }
                flow += push;
            }
        }
    }
}
