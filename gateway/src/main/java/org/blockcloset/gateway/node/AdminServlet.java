package org.blockcloset.gateway.node;

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
public abstract class AdminServlet extends HttpServlet {
    private final AdminAuth auth;
    protected final ObjectMapper json;

    protected AdminServlet(AdminAuth auth, ObjectMapper json) {
        this.auth = auth;
        this.json = json;
    }

    @Override
    protected final void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        Optional<AccessKey> caller = auth.authenticate(req.getHeader("Authorization"));
        if (caller.isEmpty()) {
            resp.setHeader("WWW-Authenticate", "Basic realm=\"blockcloset-admin\"");
            send(resp, 401, Map.of("error", "admin credentials required"));
            return;
        }
        if ("GET".equals(req.getMethod()) && !auth.readBarrier()) {
            send(resp, 503, Map.of("error", "this node's views are behind the log and it cannot reach the log; retry"));
            return;
        }
        handle(req, resp, caller.get());
    }

    /** Answers a request of an authenticated admin. */
    protected abstract void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException;

    protected final void send(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        json.writeValue(resp.getOutputStream(), body);
    }
}
