package org.blockcloset.gateway.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.blockcloset.gateway.node.NodeIdentity;
import org.blockcloset.gateway.node.SecretBox;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.Rejection;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.NodeJoined;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.JoinToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/join} on the cluster port: a new node presents a join token's proof and its
 * description; this member records {@code NodeJoined} (the fold makes the token single use), plans
 * the layout again, and answers with what the new node needs, sealed with the token's key. The only
 * route on the cluster port that is not signed with the cluster's credentials.
 */
public final class JoinServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(JoinServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 << 10;
    /** The first three nodes run the controller quorum; later ones are brokers only. */
    public static final int CONTROLLERS = 3;

    private final Ledger ledger;
    private final SecretBox secrets;
    private final NodeIdentity self;
    private final Supplier<String> kafkaClusterId;
    private final Clock clock;

    public JoinServlet(Ledger ledger, SecretBox secrets, NodeIdentity self, Supplier<String> kafkaClusterId, Clock clock) {
        this.ledger = ledger;
        this.secrets = secrets;
        this.self = self;
        this.kafkaClusterId = kafkaClusterId;
        this.clock = clock;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = req.getInputStream().readNBytes(MAX_BODY + 1);
        String tokenId = req.getHeader(Join.TOKEN_HEADER);
        Optional<JoinToken> token = tokenId == null ? Optional.empty() : ledger.views().joinToken(tokenId);
        Optional<byte[]> secret = token.flatMap(t -> secrets.open(t.sealedSecret(), t.tokenId()))
                .map(s -> Base64.getUrlDecoder().decode(s));
        if (body.length > MAX_BODY || secret.isEmpty()
                || !Join.verify(secret.get(), req.getHeader(Join.TIME_HEADER), req.getHeader(Join.PROOF_HEADER), body, clock.instant())) {
            send(resp, 403, Map.of("error", "invalid join token or proof"));
            return;
        }
        Join.Request r = JSON.readValue(body, Join.Request.class);
        Optional<ClusterNode> known = ledger.views().node(r.nodeId());
        boolean retry = known.isPresent() && r.nodeId().equals(token.get().usedBy());
        if (known.isPresent() && !retry) {
            send(resp, 409, Map.of("error", "node id " + r.nodeId() + " is already a member"));
            return;
        }
        if (!retry && !token.get().usable(clock.instant())) {
            send(resp, 403, Map.of("error", "the join token was used or has expired; create another"));
            return;
        }
        try {
            // The new node plans the layout itself once it runs (Membership.register): planning it
            // here would make it a replica before it can take a copy, and stall writes meanwhile.
            int kraftId = retry ? known.get().kraftId() : join(r, tokenId);
            String controllers = String.join(",", ledger.views().nodes().stream()
                    .filter(n -> n.failed() == null).map(n -> n.address().controllerBootstrap()).sorted().toList());
            String brokers = String.join(",", ledger.views().nodes().stream().map(n -> n.address().kafkaBootstrap()).toList());
            Join.Answer a = new Join.Answer(Base64.getEncoder().encodeToString(self.clusterSecret()), kafkaClusterId.get(),
                    kraftId, kraftId <= CONTROLLERS, controllers, brokers);
            String sealed = Join.answerBox(secret.get()).seal(JSON.writeValueAsString(a), tokenId);
            LOG.info("Node {} joined the cluster (KRaft id {}, {})", r.nodeId(), kraftId, a.controller() ? "voter" : "observer");
            send(resp, 200, Map.of("sealed", sealed));
        } catch (RejectedException e) {
            send(resp, e.rejection() == Rejection.INVALID_JOIN_TOKEN ? 403 : 409, Map.of("error", e.rejection().name()));
        } catch (LedgerUnavailableException e) {
            send(resp, 503, Map.of("error", "the event log is unavailable; retry"));
        }
    }

    /** Records the node with the next free KRaft id. */
    private int join(Join.Request r, String tokenId) throws RejectedException, LedgerUnavailableException {
        for (int attempt = 0; ; attempt++) {
            int kraftId = ledger.views().nodes().stream().mapToInt(ClusterNode::kraftId).max().orElse(0) + 1;
            try {
                ledger.append("join:" + tokenId, UUID.randomUUID().toString(), new NodeJoined(r.nodeId(), kraftId,
                        r.address(), r.roles(), r.zone() == null ? "" : r.zone(), r.capacity(), tokenId));
                return kraftId;
            } catch (RejectedException e) {
                if (e.rejection() != Rejection.NODE_EXISTS || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    private static void send(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        JSON.writeValue(resp.getOutputStream(), body);
    }
}
