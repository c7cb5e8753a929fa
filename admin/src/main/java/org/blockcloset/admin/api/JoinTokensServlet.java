package org.blockcloset.admin.api;

import org.blockcloset.storage.cluster.Join;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.admin.api.AdminServlet;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.JoinTokenCreated;
import org.blockcloset.ledger.model.AccessKey;

/**
 * {@code POST /api/join-tokens[?ttl=SECONDS]} on the admin port (admin key): a single-use join token,
 * valid one hour by default, and the command to paste on the new host. The token is shown once.
 * {@code GET /api/join-tokens} lists tokens (never their secrets); {@code DELETE /api/join-tokens/<id>}
 * revokes one that leaked or is no longer wanted: no node joins with it from then on.
 */
public final class JoinTokensServlet extends AdminServlet {
    private static final Duration DEFAULT_TTL = Duration.ofHours(1);
    private static final Duration MAX_TTL = Duration.ofDays(7);

    private final Ledger ledger;
    private final SecretBox secrets;
    private final String joinAddress;
    private final Clock clock;

    /** @param joinAddress {@code host:clusterPort} a new node reaches this member at */
    public JoinTokensServlet(Ledger ledger, SecretBox secrets, AdminAuth auth, String joinAddress, Clock clock, ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
        this.secrets = secrets;
        this.joinAddress = joinAddress;
        this.clock = clock;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        if (req.getMethod().equals("GET") && path.equals("/")) {
            send(resp, 200, ledger.views().joinTokens().stream().map(t -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", t.tokenId());
                m.put("expires", t.expires().toString());
                m.put("createdBy", t.createdBy());
                m.put("usedBy", t.usedBy());
                m.put("revoked", t.revoked() == null ? null : t.revoked().toString());
                m.put("usable", t.usable(clock.instant()));
                return m;
            }).toList());
            return;
        }
        if (req.getMethod().equals("DELETE") && path.length() > 1 && path.indexOf('/', 1) < 0) {
            try {
                ledger.append(caller.accessKeyId(), UUID.randomUUID().toString(),
                        new org.blockcloset.ledger.event.JoinTokenRevoked(path.substring(1)));
                resp.setStatus(204);
            } catch (RejectedException e) {
                send(resp, 404, Map.of("error", "no join token " + path.substring(1)));
            } catch (LedgerUnavailableException e) {
                send(resp, 503, Map.of("error", "the event log did not record the revocation: " + e.getMessage()));
            }
            return;
        }
        if (!req.getMethod().equals("POST") || !path.equals("/")) {
            send(resp, 405, Map.of("error", "use POST or GET /api/join-tokens, DELETE /api/join-tokens/<id>"));
            return;
        }
        Duration ttl = DEFAULT_TTL;
        if (req.getParameter("ttl") != null) {
            try {
                ttl = Duration.ofSeconds(Long.parseLong(req.getParameter("ttl")));
            } catch (NumberFormatException e) {
                send(resp, 400, Map.of("error", "ttl must be a number of seconds"));
                return;
            }
            if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
                send(resp, 400, Map.of("error", "ttl must be between 1 second and 7 days"));
                return;
            }
        }
        try {
            send(resp, 201, create(caller.accessKeyId(), ttl));
        } catch (RejectedException | LedgerUnavailableException e) {
            send(resp, 503, Map.of("error", "the event log did not record the token: " + e.getMessage()));
        }
    }

    /** Makes a join token for {@code actor}: the token (shown once), its expiry, and the command for the new host. */
    public Map<String, Object> create(String actor, Duration ttl) throws RejectedException, LedgerUnavailableException {
        Join.Token token = Join.Token.random();
        Instant expires = clock.instant().plus(ttl);
        ledger.append(actor, UUID.randomUUID().toString(),
                new JoinTokenCreated(token.id(), secrets.seal(token.secretText(), token.id()), expires));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", token.toString());
        out.put("expires", expires.toString());
        out.put("join", joinAddress);
        out.put("command", "BLOCKCLOSET_JOIN=" + joinAddress + " BLOCKCLOSET_JOIN_TOKEN=" + token + " ops/blockcloset up");
        return out;
    }

}
