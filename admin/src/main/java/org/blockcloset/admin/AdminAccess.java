package org.blockcloset.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may reach what on the admin port, decided in one place and asked twice: by {@link ConsoleGuard}
 * in front of every servlet, and again by each servlet behind it ({@link ConsoleServlet} itself,
 * Dropwizard's and Prometheus' servlets through {@link FailClosedServlet}, the JSON API by its
 * admin-key signature). A mistake in the filter's mapping, or a path the filter reads differently
 * from the router, then opens nothing.
 *
 * <p>Access is decided on the <em>normalised</em> path Jetty routes on (servlet path + path info),
 * never on the raw request URI, and a raw path that would normalise to something else (dot segments,
 * encoded dots, slashes, backslashes or percent signs, {@code ;} parameters, {@code //}) is refused
 * outright: no admin route needs any of them.
 */
public final class AdminAccess {
    /** What a route needs of its caller. */
    public enum Door {
        /** {@code /healthcheck} and {@code /ping}: open, for probes. */
        PROBE,
        /** {@code /metrics} and {@code /metrics/prometheus}: the metrics token when one is set, else callers on this host only. */
        METRICS,
        /** {@code /api/*}: an admin key's SigV4 signature, checked by the API's servlets themselves. */
        API,
        /** The console's login and setup pages and its static files: open. */
        CONSOLE_PUBLIC,
        /** Everything else: a console session, and its CSRF token on anything but GET and HEAD. */
        SESSION
    }

    static final String SESSION_ATTRIBUTE = "blockcloset.console.session";
    private static final Set<String> PROBES = Set.of("/healthcheck", "/ping");
    private static final Set<String> METRICS = Set.of("/metrics", "/metrics/prometheus");
    private static final Set<String> CONSOLE_PUBLIC = Set.of("/console/login", "/console/setup");

    private final ConsoleAuth auth;
    private final String metricsToken;

    public AdminAccess(ConsoleAuth auth, String metricsToken) {
        this.auth = auth;
        this.metricsToken = metricsToken == null || metricsToken.isBlank() ? null : metricsToken;
    }

    /** The path Jetty routed the request on, decoded and normalised: servlet path + path info. */
    public static String normalisedPath(HttpServletRequest req) {
        String servletPath = req.getServletPath() == null ? "" : req.getServletPath();
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        String path = servletPath + info;
        return path.isEmpty() ? "/" : path;
    }

    /**
     * Why the raw request path is refused, or null when it is plain: every segment is neither
     * {@code .} nor {@code ..}, and there is no {@code //}, {@code ;}, backslash, NUL, or percent-encoded
     * dot, slash, backslash, semicolon, percent sign or NUL, in any case.
     */
    public static String rawPathProblem(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            return "the path must start with /";
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2e", "%2f", "%5c", "%25", "%3b", "%00"}) {
            if (lower.contains(encoded)) {
                return "the path holds an encoded '" + encoded + "'";
            }
        }
        if (raw.indexOf(';') >= 0 || raw.indexOf('\\') >= 0 || raw.indexOf('\0') >= 0) {
            return "the path holds ';', '\\' or NUL";
        }
        if (raw.contains("//")) {
            return "the path holds an empty segment (//)";
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "the path holds a dot segment";
            }
        }
        return null;
    }

    /** The door of a normalised path. */
    public static Door doorOf(String path) {
        if (PROBES.contains(path)) {
            return Door.PROBE;
        }
        if (METRICS.contains(path)) {
            return Door.METRICS;
        }
        if (path.startsWith("/api/")) {
            return Door.API;
        }
        if (CONSOLE_PUBLIC.contains(path) || path.startsWith("/console/static/")) {
            return Door.CONSOLE_PUBLIC;
        }
        return Door.SESSION;
    }

    /**
     * Refuses a request whose raw path is not plain (400). Returns true when it was refused and
     * answered.
     */
    public static boolean refuseUnplainPath(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String problem = rawPathProblem(req.getRequestURI());
        if (problem == null) {
            return false;
        }
        Pages.secureHeaders(resp);
        resp.sendError(400, "refused: " + problem);
        return true;
    }

    /**
     * Lets the request through {@code door} or answers it: true when the caller may go on. For
     * {@link Door#SESSION} the session is put on the request for the servlet to read
     * ({@link #session(HttpServletRequest)}). {@link Door#API} and {@link Door#CONSOLE_PUBLIC} need
     * nothing here: the API's servlets check their callers' signatures, the public pages show nothing
     * that needs a login.
     */
    public boolean admit(HttpServletRequest req, HttpServletResponse resp, Door door) throws IOException {
        return switch (door) {
            case PROBE, API, CONSOLE_PUBLIC -> true;
            case METRICS -> metrics(req, resp);
            case SESSION -> withSession(req, resp).isPresent();
        };
    }

    /** The console session a door put on this request, or null when none did. */
    static ConsoleDb.Session session(HttpServletRequest req) {
        return req.getAttribute(SESSION_ATTRIBUTE) instanceof ConsoleDb.Session s ? s : null;
    }

    private boolean metrics(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (metricsToken == null ? loopback(req.getRemoteAddr()) : bearerMatches(req.getHeader("Authorization"))) {
            return true;
        }
        if (metricsToken == null) {
            Pages.secureHeaders(resp);
            resp.sendError(403, "the metrics are open to this host only; set BLOCKCLOSET_METRICS_TOKEN to scrape them from elsewhere");
            return false;
        }
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"blockcloset-metrics\"");
        resp.sendError(401, "metrics token required");
        return false;
    }

    private Optional<ConsoleDb.Session> withSession(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<ConsoleDb.Session> session = auth.session(req);
        if (session.isEmpty()) {
            String path = normalisedPath(req);
            if (("GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod())) && path.startsWith("/console")) {
                String next = path + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
                resp.sendRedirect("/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            } else {
                Pages.secureHeaders(resp);
                resp.sendError(401, "log in to the console first");
            }
            return Optional.empty();
        }
        if (fromAnotherOrigin(req)) {
            // A page on the S3 port (a public bucket) is the same site as the console: SameSite does
            // not stop its links, images or scripts from sending the session cookie, and some GETs
            // are expensive (a replay folds the whole log). The console answers its own pages only.
            Pages.secureHeaders(resp);
            resp.sendError(403, "the console answers requests from its own pages only; open it at its own address");
            return Optional.empty();
        }
        boolean safe = "GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod());
        if (!safe && !ConsoleAuth.csrfValid(session.get(), req)) {
            Pages.secureHeaders(resp);
            resp.sendError(403, "missing or wrong CSRF token; reload the page and try again");
            return Optional.empty();
        }
        req.setAttribute(SESSION_ATTRIBUTE, session.get());
        return session;
    }

    /**
     * Whether a browser says the request comes from another origin: {@code Sec-Fetch-Site} other than
     * {@code same-origin} or {@code none} (typed, bookmarked), or, from a browser too old to send it,
     * an {@code Origin} header naming another origin than the request's Host. Clients that send
     * neither (curl, scripts) are judged by their session alone.
     */
    static boolean fromAnotherOrigin(HttpServletRequest req) {
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null) {
            // The browser's own judgement, right behind a reverse proxy that rewrites Host too.
            return !site.equals("same-origin") && !site.equals("none");
        }
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        String host = req.getHeader("Host");
        return host == null || !origin.equalsIgnoreCase(req.getScheme() + "://" + host);
    }

    private static boolean loopback(String address) {
        try {
            return address != null && java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private boolean bearerMatches(String header) {
        return header != null && header.startsWith("Bearer ")
                && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                metricsToken.getBytes(StandardCharsets.UTF_8));
    }
}
