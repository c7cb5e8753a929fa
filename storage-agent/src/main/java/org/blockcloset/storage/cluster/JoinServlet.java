package org.blockcloset.storage.cluster;

import org.blockcloset.storage.cluster.Join;
import org.blockcloset.storage.cluster.Membership;
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
import org.blockcloset.storage.node.NodeIdentity;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.model.Rejection;
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
    /** Joins handled at once; more get 503 at once (a join is rare: one per new node). */
    static final int AT_ONCE = 2;
    /** The longest a join's body may take to arrive. */
    static final java.time.Duration BODY_WITHIN = java.time.Duration.ofSeconds(10);
    private final java.util.concurrent.Semaphore joining = new java.util.concurrent.Semaphore(AT_ONCE);
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

    /**
     * The one route of the cluster port open without the cluster's credentials. Everything a
     * stranger can be refused on is checked from the headers before a byte of the body is read (a
     * known, usable token; a fresh time; a declared length within bounds); at most
     * {@link #AT_ONCE} joins are handled at a time and a body must arrive within
     * {@link #BODY_WITHIN}, so slow or many joins cannot take the threads replication uses.
     */
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String tokenId = req.getHeader(Join.TOKEN_HEADER);
        Optional<JoinToken> token = tokenId == null ? Optional.empty() : ledger.views().joinToken(tokenId);
        long length = req.getContentLengthLong();
        if (token.isEmpty() || !Join.fresh(req.getHeader(Join.TIME_HEADER), clock.instant()) || req.getHeader(Join.PROOF_HEADER) == null
                || length < 0 || length > MAX_BODY) {
            send(resp, 403, Map.of("error", "invalid join token or proof"));
            return;
        }
        if (!joining.tryAcquire()) {
            send(resp, 503, Map.of("error", "other joins are being handled; retry"));
            return;
        }
        try {
            // This connection waits at most BODY_WITHIN between bytes of the body (the port's own idle
            // timeout, 30 s, again once it is read: answering may wait on the log).
            org.eclipse.jetty.io.EndPoint endPoint = null;
            long idle = 0;
            try {
                endPoint = org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(req).getConnectionMetaData()
                        .getConnection().getEndPoint();
                idle = endPoint.getIdleTimeout();
                endPoint.setIdleTimeout(BODY_WITHIN.toMillis());
            } catch (RuntimeException notJetty) {
                endPoint = null; // the total deadline below still holds between reads
            }
            byte[] body = readWithin(req, (int) length);
            if (endPoint != null) {
                endPoint.setIdleTimeout(idle);
            }
            if (body == null) {
                send(resp, 408, Map.of("error", "the join request's body did not arrive in time"));
                return;
            }
            handle(req, resp, tokenId, token.get(), body);
        } finally {
            joining.release();
        }
    }

    /** The declared body, or null when it does not arrive whole within {@link #BODY_WITHIN}. */
    private static byte[] readWithin(HttpServletRequest req, int length) throws IOException {
        long deadline = System.nanoTime() + BODY_WITHIN.toNanos();
        byte[] body = new byte[length];
        java.io.InputStream in = req.getInputStream();
        int off = 0;
        while (off < length) {
            if (System.nanoTime() > deadline) {
                return null;
            }
            int n;
            try {
                n = in.read(body, off, length - off);
            } catch (IOException idle) {
                return null; // the connection's idle timeout: nothing came for BODY_WITHIN
            }
            if (n < 0) {
                return null;
            }
            off += n;
        }
        return body;
    }

    private void handle(HttpServletRequest req, HttpServletResponse resp, String tokenId, JoinToken t, byte[] body) throws IOException {
        Optional<JoinToken> token = Optional.of(t);
        Optional<byte[]> secret = secrets.open(t.sealedSecret(), t.tokenId()).map(s -> Base64.getUrlDecoder().decode(s));
        String joinerKey = req.getHeader(Join.KEY_HEADER);
        if (secret.isEmpty() || !Join.verify(secret.get(), req.getHeader(Join.TIME_HEADER), req.getHeader(Join.PROOF_HEADER), body,
                joinerKey, clock.instant())) {
            send(resp, 403, Map.of("error", "invalid join token or proof"));
            return;
        }
        // This join's own keys: the answer's box needs them, and a key that is no key is refused before the token is used.
        java.security.KeyPair ephemeral = Join.ephemeral();
        String memberKey = Join.text(ephemeral.getPublic());
        SecretBox box;
        try {
            box = Join.answerBox(secret.get(), ephemeral.getPrivate(), joinerKey, joinerKey, memberKey);
        } catch (IllegalArgumentException e) {
            send(resp, 400, Map.of("error", "the join request's key is not an X25519 public key"));
            return;
        }
        Join.Request r = JSON.readValue(body, Join.Request.class);
        Optional<ClusterNode> known = ledger.views().node(r.nodeId());
        // A retried join (its answer lost) of the node that used the token gets the answer again, but
        // only while the token would have been valid and not after it was revoked: the answer holds the
        // cluster secret.
        boolean retry = known.isPresent() && r.nodeId().equals(token.get().usedBy()) && token.get().revoked() == null
                && clock.instant().isBefore(token.get().expires());
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
            String sealed = box.seal(JSON.writeValueAsString(a), tokenId);
            LOG.info("Node {} joined the cluster (KRaft id {}, {})", r.nodeId(), kraftId, a.controller() ? "voter" : "observer");
            send(resp, 200, Map.of("sealed", sealed, "key", memberKey));
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
