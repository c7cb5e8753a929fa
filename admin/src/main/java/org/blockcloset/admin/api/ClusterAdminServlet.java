package org.blockcloset.admin.api;

import org.blockcloset.storage.cluster.Redundancy;
import org.blockcloset.ledger.kafka.StewardScheduler;
import org.blockcloset.ledger.cluster.Liveness;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.admin.api.AdminServlet;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.storage.care.Repairer;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.layout.Layout;

/** {@code GET /api/cluster} on the admin port: the members and the layout as this node sees them (admin key required). */
public final class ClusterAdminServlet extends AdminServlet {
    private final Ledger ledger;
    private final Liveness liveness;
    private final Repairer repairer;
    private final StewardScheduler log;
    private final Redundancy redundancy;

    /** @param log what this node last saw of the log's quorum and replicas */
    public ClusterAdminServlet(Ledger ledger, Liveness liveness, Repairer repairer, StewardScheduler log, Redundancy redundancy,
            AdminAuth auth, ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
        this.liveness = liveness;
        this.repairer = repairer;
        this.log = log;
        this.redundancy = redundancy;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        if (!req.getMethod().equals("GET")) {
            send(resp, 405, Map.of("error", "GET only"));
            return;
        }
        send(resp, 200, report());
    }

    /** The members with their liveness and repair progress, the layout, and the cluster's replication health. */
    public Map<String, Object> report() {
        Layout layout = ledger.views().layout();
        Map<String, Integer> counts = layout.counts();
        long[] repairLeft = new long[3]; // blocks, bytes, lost, summed over the nodes' own reports
        List<Map<String, Object>> nodes = ledger.views().nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.nodeId());
            m.put("nodeId", n.nodeId());
            m.put("address", n.address().host());
            m.put("endpoints", n.address());
            m.put("kraftId", n.kraftId());
            m.put("controller", log.voters().contains(n.kraftId()) ? "voter" : "observer");
            m.put("roles", n.roles());
            m.put("zone", n.zone());
            m.put("capacity", n.capacity());
            m.put("partitions", counts.getOrDefault(n.nodeId(), 0));
            m.put("joined", n.joined().toString());
            Liveness.Status st = liveness.status(n.nodeId());
            m.put("state", st.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("since", st.since().toString());
            if (st.last() != null) {
                m.put("lastHeartbeat", java.time.Instant.ofEpochMilli(st.last().sent()).toString());
                m.put("used", st.last().used());
                m.put("free", st.last().free());
                m.put("load", st.last().load());
                m.put("version", st.last().version());
                m.put("clockSkewMillis", st.skewMillis());
                if (st.last().scrub() != null) {
                    m.put("scrub", st.last().scrub());
                }
                Liveness.Repair r = st.last().repair();
                if (r != null) {
                    m.put("repair", r);
                    repairLeft[0] += r.blocksLeft();
                    repairLeft[1] += r.bytesLeft();
                    repairLeft[2] += r.lostBlocks();
                }
            }
            if (n.failed() != null) {
                m.put("failedSince", n.failed().toString());
            }
            if (n.draining() != null) {
                m.put("draining", n.draining().toString());
            }
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nodes", nodes);
        // The log's own health: the controller quorum's voters, and whether every partition has its replicas on live brokers.
        body.put("log", Map.of("voters", log.voters(), "replicasSettled", log.logSettled()));
        // Computed now from who is up now (Redundancy), never from the last repair pass.
        Redundancy.Report now = redundancy.now();
        body.put("redundancy", now.toMap());
        body.put("underReplicatedBlocks", now.underReplicated());
        body.put("lostBlocks", now.unavailable());
        body.put("repairBytesLeft", repairLeft[1]);
        body.put("repair", repairer.describe());
        body.put("layout", Map.of("version", layout.version(), "replication", layout.replication(),
                "partitionSize", layout.partitionSize(), "usableBytes", layout.usableBytes(),
                "partitions", layout.partitions().size()));
        return body;
    }
}
