package org.blockcloset.admin.api;

import org.blockcloset.storage.cluster.NodeService;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.admin.api.AdminServlet;
import org.blockcloset.storage.care.Scrubber;
import org.blockcloset.ledger.model.AccessKey;

/**
 * Admin actions on members (ADR 0011), on the admin port, admin key required; each through
 * {@link NodeService}, which the console uses too:
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
    private final NodeService nodes;
    private final Scrubber scrubber;

    public NodesAdminServlet(NodeService nodes, Scrubber scrubber, AdminAuth auth, ObjectMapper json) {
        super(auth, json);
        this.nodes = nodes;
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
            } catch (AdminSignatures.BodyRefusedException e) {
                throw e; // not its signed body: AdminServlet answers 400 with why
            } catch (IOException e) {
                send(resp, 400, Map.of("error", "the body must be JSON: {\"capacity\": \"200GiB\", \"zone\": \"attic\"}"));
                return;
            }
            NodeService.Result r = nodes.capacity(parts[0], b.path("capacity").asText(null), b.has("zone") ? b.path("zone").asText("") : null,
                    !b.path("preview").asBoolean(false), caller.accessKeyId());
            send(resp, r.status(), r.body());
            return;
        }
        if (!req.getMethod().equals("POST") || parts.length != 2) {
            send(resp, 404, Map.of("error", "POST /api/nodes/{id}/drain or /api/nodes/{id}/remove"));
            return;
        }
        NodeService.Result r = nodes.act(parts[0], parts[1], caller.accessKeyId(), req.getParameter("force") != null);
        send(resp, r.status(), r.body());
    }
}
