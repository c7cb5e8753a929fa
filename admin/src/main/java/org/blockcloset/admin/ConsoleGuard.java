package org.blockcloset.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * The door of the admin port. Open to anyone: {@code /healthcheck} and {@code /ping} (probes), the
 * console's login and setup pages and its static files, and {@code /metrics} unless a metrics token
 * is set (then it needs {@code Authorization: Bearer <token>}). The JSON API under {@code /api/}
 * checks its own admin-key credentials. Everything else (the console, Dropwizard's tasks,
 * {@code /threads}, {@code /pprof}, the operational menu) needs a console session, and a request that
 * changes anything also needs the session's CSRF token.
 */
public final class ConsoleGuard extends HttpFilter {
    static final String SESSION_ATTRIBUTE = "blockcloset.console.session";
    private static final Set<String> OPEN = Set.of("/healthcheck", "/ping", "/console/login", "/console/setup");
    private final ConsoleAuth auth;
    private final String metricsToken;

    public ConsoleGuard(ConsoleAuth auth, String metricsToken) {
        this.auth = auth;
        this.metricsToken = metricsToken == null || metricsToken.isBlank() ? null : metricsToken;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws IOException, ServletException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (path.isEmpty() || path.equals("/")) {
            resp.sendRedirect("/console/");
            return;
        }
        if (OPEN.contains(path) || path.startsWith("/console/static/") || path.startsWith("/api/")) {
            chain.doFilter(req, resp);
            return;
        }
        if (path.equals("/metrics") || path.startsWith("/metrics/")) {
            if (metricsToken == null || bearerMatches(req.getHeader("Authorization"))) {
                chain.doFilter(req, resp);
            } else {
                resp.setHeader("WWW-Authenticate", "Bearer realm=\"blockcloset-metrics\"");
                resp.sendError(401, "metrics token required");
            }
            return;
        }
        Optional<ConsoleDb.Session> session = auth.session(req);
        if (session.isEmpty()) {
            if (("GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod())) && path.startsWith("/console")) {
                String next = req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
                resp.sendRedirect("/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            } else {
                Pages.secureHeaders(resp);
                resp.sendError(401, "log in to the console first");
            }
            return;
        }
        boolean safe = "GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod());
        if (!safe && !ConsoleAuth.csrfValid(session.get(), req)) {
            Pages.secureHeaders(resp);
            resp.sendError(403, "missing or wrong CSRF token; reload the page and try again");
            return;
        }
        req.setAttribute(SESSION_ATTRIBUTE, session.get());
        chain.doFilter(req, resp);
    }

    private boolean bearerMatches(String header) {
        return header != null && header.startsWith("Bearer ")
                && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                metricsToken.getBytes(StandardCharsets.UTF_8));
    }
}
