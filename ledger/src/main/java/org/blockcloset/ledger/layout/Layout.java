package org.blockcloset.ledger.layout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.ledger.model.BlockId;

/**
 * Where blocks live: a fixed number of partitions, each held by an ordered list of distinct nodes
 * (distinct zones where zones allow). A block belongs to the partition its id's first two bytes
 * name; its replicas are the first {@code r} holders of that partition. Computed by
 * {@link LayoutPlanner}, versioned, and recorded on the log, so every node finds any block's
 * replicas from its own copy without asking anyone (ADR 0008).
 *
 * @param version       increases by one with every change
 * @param replication   how many holders each partition has
 * @param partitionSize bytes each partition may hold on each of its holders (the planner's optimum)
 * @param partitions    for each partition, its holders' node ids in order
 */
public record Layout(int version, int replication, long partitionSize, List<List<String>> partitions) {
    public static final int PARTITIONS = 256;

    public static final Layout EMPTY = new Layout(0, 0, 0, List.of());

    public Layout {
        partitions = partitions.stream().map(List::copyOf).toList();
    }

    public static int partitionOf(BlockId id) {
        return Integer.parseInt(id.hex().substring(0, 4), 16) % PARTITIONS;
    }

    /** The nodes that hold {@code id}, at most {@code r} of them, first choice first. */
    public List<String> replicas(BlockId id, int r) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        List<String> holders = partitions.get(partitionOf(id));
        return holders.subList(0, Math.min(r, holders.size()));
    }

    /** What the cluster can store at this layout's replication factor, in bytes of objects. */
    public long usableBytes() {
        return partitionSize * partitions.size();
    }

    /** How many partition replicas each node holds. */
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new HashMap<>();
        for (List<String> p : partitions) {
            p.forEach(n -> out.merge(n, 1, Integer::sum));
        }
        return out;
    }

    /** Partition replicas that change hands between {@code this} and {@code next}. */
    public int moves(Layout next) {
        int moved = 0;
        for (int p = 0; p < next.partitions().size(); p++) {
            List<String> before = p < partitions.size() ? partitions.get(p) : List.of();
            for (String n : next.partitions().get(p)) {
                if (!before.contains(n)) {
                    moved++;
                }
            }
        }
        return moved;
    }
}
