package org.blockcloset.admin;

import java.util.ArrayList;
import java.util.List;
import org.blockcloset.ledger.layout.LayoutPlanner;

/**
 * What-if arithmetic over the nodes' lent capacities (zones left aside): the usable space at 2 and 3
 * copies (the layout's own formula, {@link LayoutPlanner#theoreticalMaximum}), whether the store
 * still holds what it stores after each single node is lost, and where one more disk adds most.
 */
final class CapacityPlanner {
    private CapacityPlanner() {
    }

    /** One node of the plan: an existing one or a what-if row. */
    record Node(String name, long capacity, boolean added) {
    }

    /**
     * Losing one node: the usable space left at {@code copies}, and whether {@code stored} still fits
     * with every block at full copies.
     */
    record Loss(String name, long usableAfter, boolean fits, boolean enoughNodes) {
    }

    /** Where the next disk of a given size adds most usable space at {@code copies}, and how much. */
    record Suggestion(String where, long gain) {
    }

    static long usable(List<Node> nodes, int copies) {
        if (nodes.stream().filter(n -> n.capacity() > 0).count() < copies) {
            return -1; // too few nodes to keep that many copies apart
        }
        return LayoutPlanner.theoreticalMaximum(nodes.stream().map(Node::capacity).toList(), copies);
    }

    static List<Loss> losses(List<Node> nodes, int copies, long stored) {
        List<Loss> out = new ArrayList<>();
        for (Node lost : nodes) {
            List<Node> rest = nodes.stream().filter(n -> n != lost).toList();
            long u = usable(rest, copies);
            out.add(new Loss(lost.name(), Math.max(0, u), u >= stored, u >= 0));
        }
        return out;
    }

    static Suggestion nextDisk(List<Node> nodes, int copies, long size) {
        long now = Math.max(0, usable(nodes, copies));
        List<Node> withNew = new ArrayList<>(nodes);
        withNew.add(new Node("a new node", size, true));
        Suggestion best = new Suggestion("a new node", Math.max(0, usable(withNew, copies)) - now);
        for (int i = 0; i < nodes.size(); i++) {
            List<Node> grown = new ArrayList<>(nodes);
            Node n = nodes.get(i);
            grown.set(i, new Node(n.name(), n.capacity() + size, n.added()));
            long gain = Math.max(0, usable(grown, copies)) - now;
            if (gain > best.gain()) {
                best = new Suggestion("node " + n.name(), gain);
            }
        }
        return best;
    }
}
