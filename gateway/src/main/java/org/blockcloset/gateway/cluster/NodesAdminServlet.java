package org.blockcloset.gateway.cluster;

import org.blockcloset.ledger.cluster.Liveness;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.blockcloset.gateway.node.AdminAuth;
import org.blockcloset.gateway.node.AdminServlet;
import org.blockcloset.storage.care.Scrubber;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.NodeDraining;
import org.blockcloset.ledger.event.NodeRemoved;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.ClusterNode;

/**
 * Admin actions on members (ADR 0011), on the admin port, admin key required:
 * <pre>
 * POST /api/nodes/{id}/drain           the layout places nothing on it any more; its blocks move to the others
 * POST /api/nodes/{id}/remove[?force]  it leaves the cluster: refused (409) until it is drained empty, or
 *                                      failed with every block repaired, unless forced
 * POST /api/nodes/{id}/capacity        {"capacity": "200GiB", "zone": "attic", "preview": true}: what would
 *                                      move (partition copies, bytes, usable space before and after); without
 *                                      "preview" it is recorded and the layout follows
 * POST /api/scrub                      this node re-reads and checks all its blocks now
 * GET  /api/scrub                      this node's scrub progress
 * </pre>
 */
public final class NodesAdminServlet extends AdminServlet {
    private final Ledger ledger;
    private final Membership membership;
    private final Liveness liveness;
    private final Scrubber scrubber;

    public NodesAdminServlet(Ledger ledger, Membership membership, Liveness liveness, Scrubber scrubber, AdminAuth auth,
            ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
        this.membership = membership;
        this.liveness = liveness;
        this.scrubber = scrubber;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        // Routed on the path Jetty routed on (the caller is already authenticated): never the raw URI.
        String path = org.blockcloset.admin.AdminAccess.normalisedPath(req);
        if (path.equals("/api/scrub")) {
            if (req.getMethod().equals("POST")) {
                scrubber.scrubNow();
                send(resp, 202, Map.of("scrub", "started", "status", scrubber.status()));
            } else {
                send(resp, 200, scrubber.status());
            }
            return;
        }
        String[] parts = path.substring("/api/nodes/".length()).split("/");
        if (req.getMethod().equals("POST") && parts.length == 2 && parts[1].equals("capacity")) {
            com.fasterxml.jackson.databind.JsonNode b;
            try {
                b = json.readTree(body(req, 4096));
            } catch (IOException e) {
                send(resp, 400, Map.of("error", "the body must be JSON: {\"capacity\": \"200GiB\", \"zone\": \"attic\"}"));
                return;
            }
            Result r = capacity(parts[0], b.path("capacity").asText(null), b.has("zone") ? b.path("zone").asText("") : null,
                    !b.path("preview").asBoolean(false), caller.accessKeyId());
            send(resp, r.status(), r.body());
            return;
        }
        if (!req.getMethod().equals("POST") || parts.length != 2) {
            send(resp, 404, Map.of("error", "POST /api/nodes/{id}/drain or /api/nodes/{id}/remove"));
            return;
        }
        Result r = act(parts[0], parts[1], caller.accessKeyId(), req.getParameter("force") != null);
        send(resp, r.status(), r.body());
    }

    /** An answer of a node action: its HTTP status and JSON body. */
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
