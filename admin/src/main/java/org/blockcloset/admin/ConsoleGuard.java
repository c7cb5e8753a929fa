package org.blockcloset.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The door of the admin port, in front of every servlet: refuses a raw path that is not plain (dot
 * segments, encoded dots, {@code ;}, {@code //}), then lets a request through only as
 * {@link AdminAccess} says for its normalised path: {@code /healthcheck} and {@code /ping} open, the
 * console's login, setup and static files open, {@code /metrics} open unless a metrics token is set,
 * the JSON API under {@code /api/} to its own signature check, everything else (the console,
 * Dropwizard's tasks, {@code /threads}, {@code /pprof}, the operational menu) only with a console
 * session, and with the session's CSRF token when it changes anything. Each servlet behind it checks
 * again on its own (ADR 0012).
 */
public final class ConsoleGuard extends HttpFilter {
    private final AdminAccess access;

    public ConsoleGuard(AdminAccess access) {
        this.access = access;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws IOException, ServletException {
        if (AdminAccess.refuseUnplainPath(req, resp)) {
            return;
        }
        String path = AdminAccess.normalisedPath(req);
        if (path.equals("/")) {
            resp.sendRedirect("/console/");
            return;
        }
        if (access.admit(req, resp, AdminAccess.doorOf(path))) {
            chain.doFilter(req, resp);
        }
    }
}
