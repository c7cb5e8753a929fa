package org.blockcloset.admin.api;

import org.blockcloset.storage.cluster.Discovery;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.admin.api.AdminServlet;
import org.blockcloset.ledger.model.AccessKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/discovered} on the admin port (admin key): the nodes on the LAN that announce
 * themselves as waiting to join, with what lets one in; and, as a {@link Managed} object, this
 * member's own announcement (started in the background: the first announcement takes a second or two).
 */
public final class DiscoveryServlet extends AdminServlet implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryServlet.class);

    private final boolean enabled;
    private final InetAddress address;
    private final String nodeId;
    private final String joinAddress;
    private final Supplier<String> clusterId;
    private final Supplier<Set<String>> memberIds;
    private volatile Discovery discovery;
    private volatile String problem = "starting";
    private Thread starter;

    public DiscoveryServlet(boolean enabled, InetAddress address, String nodeId, String joinAddress, Supplier<String> clusterId,
            Supplier<Set<String>> memberIds, AdminAuth auth, ObjectMapper json) {
        super(auth, json);
        this.enabled = enabled;
        this.address = address;
        this.nodeId = nodeId;
        this.joinAddress = joinAddress;
        this.clusterId = clusterId;
        this.memberIds = memberIds;
        if (!enabled) {
            problem = "discovery is off (BLOCKCLOSET_DISCOVERY=off, or auto on a loopback address)";
        }
    }

    @Override
    public void start() {
        if (!enabled) {
            return;
        }
        starter = new Thread(() -> {
            try {
                Discovery d = Discovery.start(address, nodeId, Clock.systemUTC());
                d.announce(nodeId, Discovery.MEMBER, joinAddress, clusterId.get());
                discovery = d;
                problem = null;
            } catch (IOException | RuntimeException e) {
                problem = "mDNS could not start on " + address.getHostAddress() + ": " + e.getMessage();
                LOG.warn("Not announced on the LAN: {}", problem);
            }
        }, "discovery-start");
        starter.setDaemon(true);
        starter.start();
    }

    @Override
    public void stop() throws Exception {
        if (starter != null) {
            starter.join(10_000);
        }
        Discovery d = discovery;
        discovery = null;
        if (d != null) {
            d.close();
        }
    }

    /** The nodes on the LAN waiting to be let in (none while this node does not announce). */
    public List<Map<String, Object>> waiting() {
        Discovery d = discovery;
        return d == null ? List.of() : waiting(d.seen());
    }

    private List<Map<String, Object>> waiting(List<Discovery.Seen> seen) {
        Set<String> members = memberIds.get();
        List<Map<String, Object>> waiting = new ArrayList<>();
        for (Discovery.Seen s : seen) {
            if (Discovery.WAITING.equals(s.state()) && !members.contains(s.nodeId())) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("nodeId", s.nodeId());
                w.put("address", s.address());
                w.put("since", s.since().toString());
                w.put("letIn", "create a join token (POST /api/join-tokens, or Nodes → Make a join token in the console), then on "
                        + s.address() + " run: BLOCKCLOSET_JOIN_TOKEN=<token> ops/blockcloset up");
                waiting.add(w);
            }
        }
        return waiting;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        if (!req.getMethod().equals("GET")) {
            send(resp, 405, Map.of("error", "GET only"));
            return;
        }
        Discovery d = discovery;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("announcing", d != null);
        if (d == null) {
            out.put("problem", problem);
            out.put("waiting", List.of());
            send(resp, 200, out);
            return;
        }
        List<Discovery.Seen> seen = d.seen(); // one mDNS look (up to 1.5 s) for both lists
        out.put("waiting", waiting(seen));
        out.put("otherClusters", seen.stream().filter(x -> Discovery.MEMBER.equals(x.state())).map(Discovery.Seen::cluster)
                .filter(c -> !c.isEmpty() && !c.equals(clusterId.get())).collect(Collectors.toCollection(java.util.TreeSet::new)));
        send(resp, 200, out);
    }
}
