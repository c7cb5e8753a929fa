package org.blockcloset.storage.cluster;

import org.blockcloset.storage.cluster.Membership;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.cluster.Liveness;
import org.blockcloset.ledger.event.NodeDraining;
import org.blockcloset.ledger.event.NodeRemoved;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;

/**
 * The one place members are drained, removed, or given a new capacity and zone (ADR 0011, issue
 * 18), for the admin API ({@code /api/nodes}) and the console alike: each refusal says why, and an
 * answer carries the status the admin API sends (the console shows the same words).
 */
public final class NodeService {
    private final Ledger ledger;
    private final Membership membership;
    private final Liveness liveness;

    public NodeService(Ledger ledger, Membership membership, Liveness liveness) {
        this.ledger = ledger;
        this.membership = membership;
        this.liveness = liveness;
    }

    /** An answer: its status as the admin API sends it (200, 202, 400, 404, 409, 503) and its JSON body. */
    public record Result(int status, Map<String, Object> body) {
    }

    /**
     * Previews ({@code apply} false) or records a node's new capacity and zone for {@code actor} (the
     * admin API's and the console's one way). {@code capacity} is a size ("200GiB", "500 MB", bytes);
     * null keeps it, as a null {@code zone} keeps the zone.
     */
    public Result capacity(String nodeId, String capacity, String zone, boolean apply, String actor) {
        Optional<ClusterNode> node = ledger.views().node(nodeId);
        if (node.isEmpty()) {
            return new Result(404, Map.of("error", "no such node: " + nodeId));
        }
        long bytes;
        try {
            bytes = capacity == null || capacity.isBlank() ? node.get().capacity() : io.dropwizard.util.DataSize.parse(capacity.trim()).toBytes();
        } catch (IllegalArgumentException e) {
            return new Result(400, Map.of("error", "capacity is a size such as 200GiB or 500 MB: " + capacity));
        }
        String newZone = zone == null ? node.get().zone() : zone.trim();
        if (bytes > 0 && !node.get().roles().contains(ClusterNode.STORAGE)) {
            return new Result(409, Map.of("error", nodeId + " does not lend disk (BLOCKCLOSET_ROLES has no storage)"));
        }
        long stored = ledger.views().nodes().stream().mapToLong(n -> {
            Liveness.Status st = liveness.status(n.nodeId());
            return st.last() == null ? 0 : st.last().used();
        }).sum();
        Membership.Preview p = membership.preview(nodeId, bytes, newZone, stored);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("node", nodeId);
        out.put("capacity", bytes);
        out.put("zone", newZone == null ? "" : newZone);
        out.put("partitionCopiesMoved", p.partitionCopiesMoved());
        out.put("partitionCopies", (long) p.current().partitions().size() * Math.max(1, p.current().replication()));
        out.put("bytesToMove", p.bytesMoved());
        out.put("usableBefore", p.current().usableBytes());
        out.put("usableAfter", p.next().usableBytes());
        if (!apply) {
            out.put("applied", false);
            return new Result(200, out);
        }
        try {
            Layout layout = membership.changeCapacity(actor, nodeId, bytes, newZone == null || newZone.isEmpty() ? null : newZone);
            out.put("applied", true);
            out.put("layoutVersion", layout.version());
            return new Result(200, out);
        } catch (LedgerUnavailableException e) {
            return new Result(503, Map.of("error", "the log is unavailable: " + e.getMessage()));
        } catch (RejectedException e) {
            return new Result(409, Map.of("error", "the log refused it: " + e.rejection()));
        }
    }

    /** Drains or removes a node for {@code actor} (the admin API's and the console's one way to do it). */
    public Result act(String nodeId, String action, String actor, boolean force) {
        Optional<ClusterNode> node = ledger.views().node(nodeId);
        if (node.isEmpty()) {
            return new Result(404, Map.of("error", "no such node: " + nodeId));
        }
        try {
            return switch (action) {
                case "drain" -> drain(node.get(), actor);
                case "remove" -> remove(node.get(), actor, force);
                default -> new Result(404, Map.of("error", "unknown action " + action));
            };
        } catch (LedgerUnavailableException e) {
            return new Result(503, Map.of("error", "the log is unavailable: " + e.getMessage()));
        } catch (RejectedException e) {
            return new Result(409, Map.of("error", "the log refused it: " + e.rejection()));
        }
    }

    private Result drain(ClusterNode n, String actor) throws LedgerUnavailableException, RejectedException {
        long others = ledger.views().nodes().stream().filter(m -> !m.nodeId().equals(n.nodeId()) && m.placeable()).count();
        if (n.placeable() && others == 0) {
            return new Result(409, Map.of("error", "no other node lends disk: its blocks would have nowhere to go"));
        }
        if (n.draining() == null) {
            ledger.append(actor, "drain", new NodeDraining(n.nodeId()));
        }
        Layout layout = membership.updateLayout();
        return new Result(202, Map.of("node", n.nodeId(), "draining", true, "layoutVersion", layout.version(),
                "next", "its blocks move to the other nodes; GET /api/cluster shows the progress, then remove it"));
    }

    private Result remove(ClusterNode n, String actor, boolean force) throws LedgerUnavailableException, RejectedException {
        Optional<String> unsafe = force ? Optional.empty() : whyNotRemovable(n);
        if (unsafe.isPresent()) {
            return new Result(409, Map.of("error", "not removed: " + unsafe.get(), "hint", "drain it first (POST /api/nodes/"
                    + n.nodeId() + "/drain) and wait until it holds nothing; ?force removes it anyway"));
        }
        ledger.append(actor, "remove", new NodeRemoved(n.nodeId()));
        Layout layout = membership.updateLayout();
        return new Result(200, Map.of("node", n.nodeId(), "removed", true, "layoutVersion", layout.version()));
    }

    /** Why removing the node now could lose data, if it could. */
    private Optional<String> whyNotRemovable(ClusterNode n) {
        Layout layout = ledger.views().layout();
        if (!n.lends()) {
            return Optional.empty(); // a gateway without disk holds nothing
        }
        if (n.placeable()) {
            return Optional.of("it still lends disk to the layout");
        }
        if (layout.counts().getOrDefault(n.nodeId(), 0) > 0) {
            return Optional.of("the layout still places blocks on it");
        }
        Liveness.Status st = liveness.status(n.nodeId());
        if (n.draining() != null && st.state() == Liveness.State.UP) {
            Liveness.Repair r = st.last() == null ? null : st.last().repair();
            if (r == null || r.layoutVersion() < layout.version() || r.surplusLeft() != 0) {
                return Optional.of("it still holds blocks not yet confirmed on their new holders"
                        + (r == null ? "" : " (" + r.surplusLeft() + " left, as of layout v" + r.layoutVersion() + ")"));
            }
            return Optional.empty();
        }
        // Down (or draining but down): safe once every live node's repair has copied everything, at this layout.
        List<String> behind = new java.util.ArrayList<>();
        for (ClusterNode m : ledger.views().nodes()) {
            if (m.nodeId().equals(n.nodeId()) || !m.placeable()) {
                continue;
            }
            Liveness.Status ms = liveness.status(m.nodeId());
            Liveness.Repair r = ms.last() == null ? null : ms.last().repair();
            if (ms.state() != Liveness.State.UP || r == null || r.layoutVersion() < layout.version() || r.passFinished() == null
                    || r.blocksLeft() > 0 || r.lostBlocks() > 0) {
                behind.add(m.nodeId());
            }
        }
        if (!behind.isEmpty()) {
            return Optional.of("the repair of its blocks is not finished on " + behind);
        }
        return Optional.empty();
    }
}
