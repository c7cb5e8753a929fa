package org.blockcloset.gateway.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.gateway.node.AdminAuth;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;

/** {@code GET /api/cluster} on the admin port: the members and the layout as this node sees them (admin key required). */
public final class ClusterAdminServlet extends HttpServlet {
    private final Ledger ledger;
    private final Liveness liveness;
    private final AdminAuth auth;
    private final ObjectMapper json;

    public ClusterAdminServlet(Ledger ledger, Liveness liveness, AdminAuth auth, ObjectMapper json) {
        this.ledger = ledger;
        this.liveness = liveness;
        this.auth = auth;
        this.json = json;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        if (auth.authenticate(req.getHeader("Authorization")).isEmpty()) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"blockcloset-admin\"");
            resp.setStatus(401);
            json.writeValue(resp.getOutputStream(), Map.of("error", "admin credentials required"));
            return;
        }
        if (!req.getMethod().equals("GET")) {
            resp.setStatus(405);
            json.writeValue(resp.getOutputStream(), Map.of("error", "GET only"));
            return;
        }
        Layout layout = ledger.views().layout();
        Map<String, Integer> counts = layout.counts();
        List<Map<String, Object>> nodes = ledger.views().nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", n.nodeId());
            m.put("kraftId", n.kraftId());
            m.put("address", n.address());
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
            }
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nodes", nodes);
        body.put("underReplicatedBlocks", ledger.views().underReplicatedCount());
        body.put("layout", Map.of("version", layout.version(), "replication", layout.replication(),
                "partitionSize", layout.partitionSize(), "usableBytes", layout.usableBytes(),
                "partitions", layout.partitions().size()));
        resp.setStatus(200);
        json.writeValue(resp.getOutputStream(), body);
    }
}
