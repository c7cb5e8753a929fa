package org.blockcloset.admin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.blockcloset.ledger.model.AccessKey;

/**
 * A JSON route of the admin API: refused with 401 unless the caller presents an admin key
 * ({@link AdminAuth}); subclasses handle only authenticated requests.
 */
public abstract class AdminServlet extends HttpServlet implements org.blockcloset.admin.ChecksItsCallers {
    private final AdminAuth auth;
    protected final ObjectMapper json;

    protected AdminServlet(AdminAuth auth, ObjectMapper json) {
        this.auth = auth;
        this.json = json;
    }

    @Override
    protected final void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        AdminAuth.Outcome outcome = auth.authenticate(req);
        Optional<AccessKey> caller = outcome.caller();
        if (caller.isEmpty()) {
            send(resp, outcome.status(), Map.of("error", outcome.status() == 401
                    ? "admin credentials required: " + outcome.refusal() : outcome.refusal()));
            return;
        }
        // Reads see every change acknowledged anywhere before them; changes too judge what they name
        // (a key to revoke made through another node a moment ago) from views that have caught up.
        if (!auth.readBarrier()) {
            send(resp, 503, Map.of("error", "this node's views are behind the log and it cannot reach the log; retry"));
            return;
        }
        try {
            handle(req, resp, caller.get());
        } catch (AdminSignatures.BodyRefusedException e) {
            // The body did not match its signed hash (or was malformed): nothing was done with it.
            send(resp, 400, Map.of("error", e.getMessage()));
        } finally {
            auth.release();
        }
    }

    /** Answers a request of an authenticated admin. */
    protected abstract void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException;

    /** The body, verified against the signed payload hash while it is read; at most {@code max} bytes. */
    protected final byte[] body(HttpServletRequest req, int max) throws IOException {
        byte[] b = AdminAuth.body(req).readNBytes(max + 1);
        if (b.length > max) {
            throw new IOException("request body larger than " + max + " bytes");
        }
        return b;
    }

    /** A service's refusal as an HTTP status: 400 malformed, 404 not found, 409 not allowed now. */
    protected static int status(org.blockcloset.ledger.service.ChangeRefusedException e) {
        return switch (e.reason()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
    }

    protected final void send(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        json.writeValue(resp.getOutputStream(), body);
    }
}
