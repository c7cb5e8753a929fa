package org.blockcloset.admin;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.service.Caller;
import org.blockcloset.ledger.service.ChangeRefusedException;
import org.blockcloset.ledger.event.ConsoleSetUp;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ConsoleSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's pages under {@code /console/}: first-run setup, login, overview, buckets, access
 * keys, nodes and "connect a client". Pages render on the server from Mustache templates; every form
 * carries a CSRF token ({@link ConsoleGuard} checks it for logged-in requests; the login and setup
 * forms, sent before there is a session, check a double-submit cookie here).
 */
public final class ConsoleServlet extends HttpServlet implements ChecksItsCallers {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    private static final String PRELOGIN_COOKIE = "bc_prelogin";
    private final ConsoleBackend backend;
    private final ConsoleAuth auth;
    private final AdminAccess access;
    private final SetupCode setupCode;
    private final HealthCheckRegistry health;
    private final Pages pages = new Pages();
    private final StorePages store;

    private final DiagnosticsPages diagnostics;
    private final ConsoleDb db;
    private final Duration chartInterval;

    public ConsoleServlet(ConsoleBackend backend, ConsoleAuth auth, AdminAccess access, SetupCode setupCode, HealthCheckRegistry health,
                          com.codahale.metrics.MetricRegistry metrics, RequestLog requests, ConsoleDb db,
                          Duration chartInterval) {
        this.backend = backend;
        this.auth = auth;
        this.access = access;
        this.setupCode = setupCode;
        this.health = health;
        this.store = new StorePages(backend, pages);
        this.diagnostics = new DiagnosticsPages(backend, pages, health, metrics, requests);
        this.db = db;
        this.chartInterval = chartInterval;
    }

    private Ledger ledger() {
        return backend.ledger();
    }

    @Override
    public void destroy() {
        store.close();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        String method = req.getMethod();
        try {
            // The same check as the guard in front, made here again: every route but the login, the
            // setup and the static files needs a session (and its CSRF token to change anything).
            if (AdminAccess.refuseUnplainPath(req, resp)) {
                return;
            }
            if (path.startsWith("/static/")) {
                staticFile(path.substring("/static/".length()), resp);
                return;
            }
            Optional<ConsoleSettings> settings = ledger().views().console();
            if (settings.isEmpty() && !path.equals("/setup")) {
                resp.sendRedirect("/console/setup");
                return;
            }
            AdminAccess.Door door = AdminAccess.doorOf(AdminAccess.normalisedPath(req));
            if (door != AdminAccess.Door.CONSOLE_PUBLIC && !access.admit(req, resp, AdminAccess.Door.SESSION)) {
                return;
            }
            switch (method + " " + path) {
                case "GET /setup" -> setupPage(req, resp, settings, null, 200);
                case "POST /setup" -> setup(req, resp, settings);
                case "GET /login" -> loginPage(req, resp, settings.get(), null, 200);
                case "POST /login" -> login(req, resp, settings.get());
                case "POST /logout" -> {
                    auth.endSession(req, resp);
                    resp.sendRedirect("/console/login");
                }
                case "GET /" -> overview(req, resp, settings.get());
                case "GET /buckets" -> buckets(req, resp, settings.get(), null);
                case "POST /buckets" -> createBucket(req, resp, settings.get());
                case "POST /buckets/delete" -> deleteBucket(req, resp, settings.get());
                case "POST /buckets/quota" -> setQuota(req, resp, settings.get());
                case "POST /buckets/copies" -> setCopies(req, resp, settings.get());
                case "GET /keys" -> keys(req, resp, settings.get(), null, null);
                case "POST /keys" -> createKey(req, resp, settings.get());
                case "POST /keys/revoke" -> revokeKey(req, resp, settings.get());
                case "POST /keys/permission" -> setPermission(req, resp, settings.get());
                case "GET /nodes" -> nodes(req, resp, settings.get(), null, null);
                case "POST /nodes/join-token" -> joinToken(req, resp, settings.get());
                case "POST /nodes/action" -> nodeAction(req, resp, settings.get());
                case "GET /connect" -> connect(req, resp, settings.get());
                case "POST /alerts/test" -> {
                    Map<String, Object> scope = scope(req, settings.get(), "Overview");
                    scope.put("title", "Test alert");
                    scope.put("message", "Test alert: " + backend.sendTestAlert(actor(req)) + ".");
                    pages.render(resp, 200, "message", scope);
                }
                case "GET /planner" -> planner(req, resp, settings.get());
                case "GET /nodes/asof" -> store.membership(req, resp, scope(req, settings.get(), "Nodes"));
                case "GET /account" -> account(req, resp, settings.get(), null,
                        req.getParameter("changed") != null ? "The password was changed; other sessions were logged out." : null);
                case "POST /account/password" -> changePassword(req, resp, settings.get());
                case "GET /browse" -> store.browse(req, resp, scope(req, settings.get(), "Buckets"));
                case "GET /diff" -> store.diff(req, resp, scope(req, settings.get(), "Buckets"));
                case "GET /object" -> store.object(req, resp, scope(req, settings.get(), "Buckets"));
                case "GET /audit" -> store.audit(req, resp, scope(req, settings.get(), "Audit"));
                case "PUT /upload" -> store.upload(req, resp, actor(req));
                case "GET /diagnostics" -> diagnostics.page(req, resp, scope(req, settings.get(), "Diagnostics"));
                case "GET /diagnostics/tail" -> diagnostics.tail(req, resp, scope(req, settings.get(), "Diagnostics"));
                case "GET /diagnostics/bundle" -> diagnostics.bundle(resp);
                case "GET /download" -> store.download(req, resp);
                case "POST /share" -> store.share(req, resp, scope(req, settings.get(), "Buckets"));
                case "POST /object/delete" -> store.delete(req, resp, actor(req), scope(req, settings.get(), "Buckets"));
                default -> {
                    Map<String, Object> scope = scope(req, settings.get(), "");
                    scope.put("title", "Not found");
                    scope.put("message", "There is no console page at " + path + ".");
                    pages.render(resp, 404, "message", scope);
                }
            }
        } catch (LedgerUnavailableException e) {
            Map<String, Object> scope = new HashMap<>();
            scope.put("title", "The event log is unavailable");
            scope.put("message", "This node cannot reach the event log right now, so it cannot show or change anything. "
                    + "Check the node's health at /healthcheck and try again shortly.");
            pages.render(resp, 503, "message", scope);
        }
    }

    // ---- first-run setup and login -------------------------------------------------------------

    private void setupPage(HttpServletRequest req, HttpServletResponse resp, Optional<ConsoleSettings> settings, String error,
                           int status) throws IOException {
        if (settings.isPresent()) {
            resp.sendRedirect("/console/");
            return;
        }
        Map<String, Object> scope = new HashMap<>();
        scope.put("title", "Set up Block Closet");
        scope.put("error", error);
        scope.put("preCsrf", preloginToken(req, resp));
        scope.put("clusterName", param(req, "clusterName", "homelab"));
        scope.put("adminUser", param(req, "adminUser", "admin"));
        pages.render(resp, status, "setup", scope);
    }

    private void setup(HttpServletRequest req, HttpServletResponse resp, Optional<ConsoleSettings> settings)
            throws IOException, LedgerUnavailableException {
        if (settings.isPresent()) {
            resp.sendRedirect("/console/login");
            return;
        }
        if (!preloginValid(req)) {
            setupPage(req, resp, settings, "The form expired; please send it again.", 403);
            return;
        }
        ConsoleAuth.Attempt attempt = auth.begin(req);
        if (!attempt.allowed()) {
            resp.setHeader("Retry-After", Long.toString(Math.max(1, attempt.retryAfter().toSeconds())));
            setupPage(req, resp, settings, attempt.why() + "; wait " + Math.max(1, attempt.retryAfter().toSeconds()) + " s.", 429);
            return;
        }
        if (!setupCode.matches(req.getParameter("setupCode"))) {
            setupPage(req, resp, settings, "That is not the setup code. It is printed by 'ops/blockcloset up' "
                    + "(and in the node's log) as \"Console setup code\".", 403);
            return;
        }
        String cluster = param(req, "clusterName", "").trim();
        String user = param(req, "adminUser", "").trim();
        String password = param(req, "password", "");
        if (cluster.isEmpty() || cluster.length() > 64 || user.isEmpty() || user.length() > 64 || !user.matches("[A-Za-z0-9._@-]+")) {
            setupPage(req, resp, settings, "Name the cluster (up to 64 characters) and the administrator "
                    + "(letters, digits, . _ @ -).", 400);
            return;
        }
        String weak = Passwords.weakness(password);
        if (weak == null && !password.equals(req.getParameter("password2"))) {
            weak = "The two passwords differ.";
        }
        if (weak != null) {
            setupPage(req, resp, settings, weak, 400);
            return;
        }
        try {
            ledger().append("console:" + user, UUID.randomUUID().toString(), req.getRemoteAddr(), new ConsoleSetUp(cluster, user, Passwords.hash(password)));
        } catch (RejectedException e) {
            resp.sendRedirect("/console/login"); // set up meanwhile, through another node
            return;
        }
        auth.succeeded(req);
        setupCode.used();
        LOG.info("Console set up: cluster '{}', administrator '{}' (from {})", cluster, user, ConsoleAuth.client(req));
        auth.startSession(user, req, resp);
        resp.sendRedirect("/console/connect");
    }

    private void loginPage(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String error, int status)
            throws IOException {
        Map<String, Object> scope = new HashMap<>();
        scope.put("title", "Log in");
        scope.put("clusterName", settings.clusterName());
        scope.put("error", error);
        scope.put("preCsrf", preloginToken(req, resp));
        scope.put("next", safeNext(req.getParameter("next")));
        scope.put("user", param(req, "user", ""));
        pages.render(resp, status, "login", scope);
    }

    private void login(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        if (!preloginValid(req)) {
            loginPage(req, resp, settings, "The form expired; please log in again.", 403);
            return;
        }
        ConsoleAuth.Attempt attempt = auth.begin(req);
        if (!attempt.allowed()) {
            resp.setHeader("Retry-After", Long.toString(Math.max(1, attempt.retryAfter().toSeconds())));
            loginPage(req, resp, settings, attempt.why() + "; wait " + Math.max(1, attempt.retryAfter().toSeconds())
                    + " s and try again.", 429);
            return;
        }
        String user = param(req, "user", "");
        Optional<Boolean> verified = auth.verifyPassword(param(req, "password", ""), settings.passwordHash());
        if (verified.isEmpty()) {
            resp.setHeader("Retry-After", "1");
            loginPage(req, resp, settings, "This node is checking other logins right now; try again in a second.", 429);
            return;
        }
        boolean ok = verified.get() && settings.adminUser().equals(user);
        if (!ok) {
            LOG.warn("Console login refused for '{}' from {}", user.length() > 64 ? user.substring(0, 64) : user,
                    ConsoleAuth.client(req));
            loginPage(req, resp, settings, "Wrong user name or password.", 401);
            return;
        }
        auth.succeeded(req);
        auth.startSession(user, req, resp);
        resp.sendRedirect(safeNext(req.getParameter("next")));
    }

    /** Only a console path of this host: never an open redirect. */
    private static String safeNext(String next) {
        return next != null && next.startsWith("/console/") && !next.startsWith("//") && !next.contains("\\") ? next : "/console/";
    }

    private String preloginToken(HttpServletRequest req, HttpServletResponse resp) {
        String existing = cookie(req, PRELOGIN_COOKIE);
        if (existing != null && existing.length() >= 20) {
            return existing;
        }
        String token = ConsoleAuth.random(24);
        resp.addHeader("Set-Cookie", PRELOGIN_COOKIE + "=" + token + "; Path=/console; HttpOnly; SameSite=Strict"
                + (req.isSecure() ? "; Secure" : ""));
        return token;
    }

    private static boolean preloginValid(HttpServletRequest req) {
        String cookie = cookie(req, PRELOGIN_COOKIE);
        String sent = req.getParameter("csrf");
        return cookie != null && sent != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8),
                sent.getBytes(StandardCharsets.UTF_8));
    }

    private static String cookie(HttpServletRequest req, String name) {
        if (req.getCookies() == null) {
            return null;
        }
        for (Cookie c : req.getCookies()) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    // ---- pages behind the login ----------------------------------------------------------------

    private Map<String, Object> scope(HttpServletRequest req, ConsoleSettings settings, String active) {
        Map<String, Object> scope = new HashMap<>();
        ConsoleDb.Session s = AdminAccess.session(req);
        scope.put("clusterName", settings.clusterName());
        scope.put("loggedIn", s != null);
        if (s != null) {
            scope.put("user", s.username());
            scope.put("csrf", s.csrfToken());
        }
        scope.put("nav" + active, true);
        return scope;
    }

    private void overview(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Overview");
        scope.put("title", "Overview");
        backend.readBarrier();
        List<Map<String, Object>> checks = new ArrayList<>();
        List<String> red = new ArrayList<>();
        List<String> amber = new ArrayList<>();
        health.runHealthChecks().forEach((name, r) -> {
            checks.add(Map.of("name", name, "healthy", r.isHealthy(),
                    "message", r.getMessage() == null ? (r.isHealthy() ? "ok" : "unhealthy") : r.getMessage()));
            if (!r.isHealthy()) {
                red.add(name + ": " + (r.getMessage() == null ? "unhealthy" : r.getMessage()));
            }
        });
        Map<String, Object> cluster = backend.cluster();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.getOrDefault("nodes", List.of());
        Map<String, Integer> states = new LinkedHashMap<>();
        long raw = 0;
        long used = 0;
        for (Map<String, Object> n : nodes) {
            String state = String.valueOf(n.get("state"));
            states.merge(state, 1, Integer::sum);
            raw += ((Number) n.getOrDefault("capacity", 0L)).longValue();
            used += ((Number) n.getOrDefault("used", 0L)).longValue();
            if (!"up".equals(state)) {
                amber.add("node " + n.get("id") + " (" + n.get("address") + ") is " + state + " since " + n.get("since"));
            }
        }
        // The one line people ask for, computed as the page is made from who is up now.
        @SuppressWarnings("unchecked")
        Map<String, Object> redundancy = (Map<String, Object>) cluster.getOrDefault("redundancy", Map.of());
        String redundancyState = String.valueOf(redundancy.getOrDefault("state", "UNKNOWN"));
        scope.put("redundancy", redundancy.getOrDefault("line", "Redundancy: unknown"));
        scope.put("redundancyLevel", switch (redundancyState) {
            case "OK" -> "green";
            case "UNAVAILABLE" -> "red";
            default -> "amber";
        });
        if (redundancyState.equals("UNAVAILABLE")) {
            red.add(String.valueOf(redundancy.get("line")));
        } else if (redundancyState.equals("DEGRADED")) {
            amber.add(String.valueOf(redundancy.get("line")));
        }
        String level = !red.isEmpty() ? "red" : !amber.isEmpty() ? "amber" : "green";
        scope.put("health", level);
        scope.put("healthWord", Map.of("red", "Needs attention", "amber", "Degraded", "green", "Healthy").get(level));
        List<String> reasons = new ArrayList<>(red);
        reasons.addAll(amber);
        scope.put("reasons", reasons);
        scope.put("checks", checks);
        scope.put("nodeCount", nodes.size());
        scope.put("nodeStates", states.entrySet().stream().map(e -> Map.of("state", e.getKey(), "count", e.getValue())).toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> layout = (Map<String, Object>) cluster.getOrDefault("layout", Map.of());
        scope.put("raw", Bytes.human(raw));
        scope.put("used", Bytes.human(used));
        scope.put("usable", Bytes.human(((Number) layout.getOrDefault("usableBytes", 0L)).longValue()));
        scope.put("replication", layout.getOrDefault("replication", 1));
        scope.put("bucketCount", ledger().views().buckets().size());
        long objects = 0;
        long stored = 0;
        for (Bucket b : ledger().views().buckets()) {
            org.blockcloset.ledger.model.BucketStats st = ledger().views().bucketStats(b.name());
            objects += st.objects();
            stored += st.bytes();
        }
        scope.put("objectCount", objects);
        scope.put("storedBytes", Bytes.human(stored));
        scope.put("keyCount", ledger().views().accessKeys().stream().filter(AccessKey::active).count());
        charts(scope);
        scope.put("underReplicated", ((Number) cluster.getOrDefault("underReplicatedBlocks", 0L)).longValue());
        scope.put("lost", ((Number) cluster.getOrDefault("lostBlocks", 0L)).longValue());
        pages.render(resp, 200, "overview", scope);
    }

    /** The last 60 samples of the request log as three small charts: requests, errors, latency. */
    private void charts(Map<String, Object> scope) {
        long since = System.currentTimeMillis() - chartInterval.toMillis() * 60;
        List<ConsoleDb.Sample> samples = db.charts().since(since);
        if (samples.size() < 2) {
            scope.put("chartsNote", "The charts fill in as this node serves requests (one point every "
                    + chartInterval.toSeconds() + " s).");
            return;
        }
        double perMinute = 60_000.0 / chartInterval.toMillis();
        List<Double> rate = samples.stream().map(x -> x.requests() * perMinute).toList();
        List<Double> errors = samples.stream().map(x -> x.requests() == 0 ? 0.0 : 100.0 * x.serverErrors() / x.requests()).toList();
        List<Double> p99 = samples.stream().map(x -> x.p99Micros() / 1000.0).toList();
        ConsoleDb.Sample last = samples.get(samples.size() - 1);
        scope.put("chartRate", Sparkline.svg(rate, "rate", "requests per minute"));
        scope.put("chartErrors", Sparkline.svg(errors, "errors", "server errors, percent"));
        scope.put("chartLatency", Sparkline.svg(p99, "latency", "99th percentile latency, ms"));
        scope.put("lastRate", String.format(Locale.ROOT, "%.0f/min", last.requests() * perMinute));
        scope.put("lastErrors", String.format(Locale.ROOT, "%.1f%% (%d client errors)", last.requests() == 0 ? 0.0
                : 100.0 * last.serverErrors() / last.requests(), last.clientErrors()));
        scope.put("lastLatency", String.format(Locale.ROOT, "p50 %.1f ms · p99 %.1f ms", last.p50Micros() / 1000.0,
                last.p99Micros() / 1000.0));
        scope.put("charts", true);
    }

    private void buckets(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String error) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Buckets");
        scope.put("title", "Buckets");
        backend.readBarrier();
        scope.put("error", error);
        scope.put("buckets", ledger().views().buckets().stream().sorted(Comparator.comparing(Bucket::name)).map(b -> {
            Map<String, Object> m = new HashMap<>();
            m.put("name", b.name());
            m.put("created", Bytes.when(b.created()));
            m.put("owner", b.owner());
            m.put("copies", backend.copiesFor(b.name()));
            org.blockcloset.ledger.model.BucketStats st = ledger().views().bucketStats(b.name());
            m.put("objects", st.objects());
            m.put("bytes", Bytes.human(st.bytes()));
            m.put("quota", b.quotaBytes() == null && b.quotaObjects() == null ? "none"
                    : (b.quotaBytes() == null ? "" : Bytes.human(b.quotaBytes())) + (b.quotaBytes() != null && b.quotaObjects() != null
                    ? ", " : "") + (b.quotaObjects() == null ? "" : b.quotaObjects() + " objects"));
            m.put("empty", ledger().views().bucketIsEmpty(b.name()));
            return m;
        }).toList());
        pages.render(resp, error == null ? 200 : 400, "buckets", scope);
    }

    private void createBucket(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String name = param(req, "name", "").trim();
        try {
            backend.buckets().create(caller(req), name, false, null);
        } catch (ChangeRefusedException e) {
            buckets(req, resp, settings, e.getMessage());
            return;
        }
        resp.sendRedirect("/console/buckets");
    }

    /** The signed-in administrator, as a service's caller. */
    private Caller caller(HttpServletRequest req) {
        return Caller.of(actor(req), req.getRemoteAddr());
    }

    private void setQuota(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String name = param(req, "name", "");
        Long maxBytes;
        Long maxObjects;
        try {
            String gib = param(req, "maxGiB", "").trim();
            String objects = param(req, "maxObjects", "").trim();
            maxBytes = gib.isEmpty() ? null : Math.round(Double.parseDouble(gib) * (1L << 30));
            maxObjects = objects.isEmpty() ? null : Long.parseLong(objects);
            if ((maxBytes != null && maxBytes < 0) || (maxObjects != null && maxObjects < 0)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            buckets(req, resp, settings, "A quota is a number of GiB and a number of objects (empty: no limit).");
            return;
        }
        try {
            backend.buckets().setQuota(caller(req), name, maxBytes, maxObjects);
        } catch (ChangeRefusedException e) {
            buckets(req, resp, settings, e.getMessage());
            return;
        }
        resp.sendRedirect("/console/buckets");
    }

    /** A bucket's replication factor: 1 to 3 copies of each block, or the cluster's default. */
    private void setCopies(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String name = param(req, "name", "");
        String copies = param(req, "copies", "default").trim();
        try {
            backend.buckets().setCopies(caller(req), name, copies.equals("default") ? null : Integer.valueOf(copies));
        } catch (NumberFormatException e) {
            buckets(req, resp, settings, "A bucket keeps 1, 2 or 3 copies of each block, or the cluster's default.");
            return;
        } catch (ChangeRefusedException e) {
            buckets(req, resp, settings, e.getMessage());
            return;
        }
        resp.sendRedirect("/console/buckets");
    }

    private void deleteBucket(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String name = param(req, "name", "");
        backend.readBarrier();
        try {
            backend.buckets().delete(caller(req), name);
        } catch (ChangeRefusedException e) {
            buckets(req, resp, settings, e.getMessage());
            return;
        }
        resp.sendRedirect("/console/buckets");
    }

    private void keys(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String error,
                      ConsoleBackend.AccessKeyPair created) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Keys");
        scope.put("title", "Access keys");
        backend.readBarrier();
        scope.put("error", error);
        scope.put("created", created);
        scope.put("keys", ledger().views().accessKeys().stream().sorted(Comparator.comparing(AccessKey::created).reversed())
                .map(k -> {
                    Map<String, Object> m = new HashMap<>();
                    m.put("id", k.accessKeyId());
                    m.put("description", k.description());
                    m.put("admin", k.admin());
                    m.put("created", Bytes.when(k.created()));
                    m.put("active", k.active());
                    m.put("revoked", k.revoked() == null ? null : Bytes.when(k.revoked()));
                    m.put("reach", k.admin() ? "everything (admin)" : k.buckets() == null ? "every bucket (owner)"
                            : k.buckets().isEmpty() ? "no bucket" : k.buckets().entrySet().stream()
                            .map(e -> (e.getKey().equals(AccessKey.EVERY_BUCKET) ? "every bucket" : e.getKey()) + ": " + e.getValue())
                            .collect(java.util.stream.Collectors.joining(", ")));
                    m.put("limitable", k.active() && !k.admin());
                    return m;
                }).toList());
        scope.put("bucketNames", ledger().views().buckets().stream().map(Bucket::name).sorted().toList());
        pages.render(resp, error == null ? 200 : 400, "keys", scope);
    }

    private void createKey(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        String description = param(req, "description", "").trim();
        // A new key reaches what is chosen here: nothing (the default), one bucket, or every bucket to
        // read or write; never every bucket as owner.
        String bucket = param(req, "bucket", "");
        String level = param(req, "level", "write");
        if (!List.of("read", "write", "owner").contains(level) || bucket.equals(AccessKey.EVERY_BUCKET) && level.equals("owner")) {
            keys(req, resp, settings, "Choose read or write for every bucket, or read, write or own for one bucket.", null);
            return;
        }
        java.util.Map<String, String> buckets = bucket.isEmpty() ? Map.of() : Map.of(bucket, level);
        try {
            var made = backend.accessKeys().create(caller(req), description, "on".equals(req.getParameter("admin")), buckets);
            keys(req, resp, settings, null, new ConsoleBackend.AccessKeyPair(made.accessKeyId(), made.secretAccessKey()));
        } catch (ChangeRefusedException e) {
            keys(req, resp, settings, "The key could not be created: " + e.getMessage(), null);
        } catch (LedgerUnavailableException e) {
            LOG.warn("Console could not create an access key", e);
            keys(req, resp, settings, "The key could not be created: the event log is unavailable; try again shortly.", null);
        }
    }

    /** Gives a key a level in one bucket (or takes it away), or gives it every bucket again. */
    private void setPermission(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String id = param(req, "id", "");
        String bucket = param(req, "bucket", "");
        String level = param(req, "level", "");
        backend.readBarrier();
        Optional<AccessKey> key = ledger().views().accessKey(id);
        if (key.isEmpty() || !key.get().active()) {
            keys(req, resp, settings, "There is no active key " + id + ".", null);
            return;
        }
        java.util.Map<String, String> buckets;
        if (level.equals("all")) {
            // Every bucket to write, keeping what the key was given in named buckets (an owner stays one).
            buckets = new java.util.TreeMap<>(key.get().buckets() == null ? Map.of() : key.get().buckets());
            buckets.put(AccessKey.EVERY_BUCKET, "write");
        } else if (List.of("none", "read", "write", "owner").contains(level) && !bucket.isEmpty()) {
            buckets = new java.util.TreeMap<>(key.get().buckets() == null ? Map.of() : key.get().buckets());
            if (level.equals("none") && !bucket.equals(AccessKey.EVERY_BUCKET) && buckets.containsKey(AccessKey.EVERY_BUCKET)) {
                keys(req, resp, settings, "Key " + id + " reaches every bucket; take \"every bucket\" away first (\"every bucket\", "
                        + "\"nothing\"), then give it the buckets it should reach.", null);
                return;
            }
            if (level.equals("none")) {
                buckets.remove(bucket);
            } else {
                buckets.put(bucket, level);
            }
        } else {
            keys(req, resp, settings, "Choose a bucket and a permission (none, read, write, owner), or every bucket.", null);
            return;
        }
        try {
            backend.accessKeys().setBuckets(caller(req), id, buckets);
        } catch (ChangeRefusedException e) {
            keys(req, resp, settings, "The permission was refused: " + e.getMessage(), null);
            return;
        }
        resp.sendRedirect("/console/keys");
    }

    private void revokeKey(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        String id = param(req, "id", "");
        backend.readBarrier();
        try {
            backend.accessKeys().revoke(caller(req), id);
        } catch (ChangeRefusedException e) {
            keys(req, resp, settings, e.getMessage(), null);
            return;
        }
        resp.sendRedirect("/console/keys");
    }

    private void joinToken(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        try {
            Map<String, Object> token = backend.createJoinToken(actor(req));
            nodes(req, resp, settings, null, Map.of("command", token.get("command"), "expires", token.get("expires")));
        } catch (Exception e) {
            nodes(req, resp, settings, "No join token could be made: " + e.getMessage(), null);
        }
    }

    /** Drain or remove: first a preview of what it means, then (confirmed) the action itself. */
    private void nodeAction(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        String node = param(req, "node", "");
        String action = param(req, "action", "");
        if (action.equals("capacity")) {
            capacityChange(req, resp, settings, node);
            return;
        }
        if (!List.of("drain", "remove").contains(action)) {
            nodes(req, resp, settings, "Unknown action.", null);
            return;
        }
        if (!"yes".equals(req.getParameter("confirm"))) {
            Map<String, Object> scope = scope(req, settings, "Nodes");
            scope.put("title", (action.equals("drain") ? "Drain " : "Remove ") + node + "?");
            Map<String, Object> cluster = backend.cluster();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.getOrDefault("nodes", List.of());
            Map<String, Object> n = nodes.stream().filter(x -> node.equals(x.get("id"))).findFirst().orElse(Map.of());
            @SuppressWarnings("unchecked")
            Map<String, Object> layout = (Map<String, Object>) cluster.getOrDefault("layout", Map.of());
            long used = ((Number) n.getOrDefault("used", 0L)).longValue();
            int partitions = ((Number) n.getOrDefault("partitions", 0)).intValue();
            int total = ((Number) layout.getOrDefault("partitions", 1)).intValue();
            scope.put("node", node);
            scope.put("action", action);
            scope.put("preview", action.equals("drain")
                    ? "The layout stops placing blocks on " + node + ": its " + partitions + " of " + total * Math.max(1,
                    ((Number) layout.getOrDefault("replication", 1)).intValue()) + " partition copies move to the other nodes, about "
                    + Bytes.human(used) + " of data, at the repair bandwidth. It keeps serving meanwhile and drops each copy only "
                    + "after the new holders confirmed theirs. Then remove it."
                    : "The node leaves the cluster. Refused unless nothing would be lost (drained empty first, or failed and "
                    + "repaired elsewhere).");
            pages.render(resp, 200, "confirm", scope);
            return;
        }
        Map<String, Object> r = backend.nodeAction(actor(req), node, action);
        int status = ((Number) r.getOrDefault("status", 500)).intValue();
        if (status >= 300) {
            nodes(req, resp, settings, action + " " + node + ": " + r.getOrDefault("error", "refused"), null);
            return;
        }
        resp.sendRedirect("/console/nodes");
    }

    /** A node's new capacity and zone: first what would move, then (confirmed) the change itself. */
    private void capacityChange(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String node)
            throws IOException {
        String capacity = param(req, "capacity", "").trim();
        String zone = req.getParameter("zone") == null ? null : req.getParameter("zone").trim();
        boolean apply = "yes".equals(req.getParameter("confirm"));
        Map<String, Object> r = backend.capacityChange(actor(req), node, capacity.isEmpty() ? null : capacity, zone, apply);
        int status = ((Number) r.getOrDefault("status", 500)).intValue();
        if (status >= 300) {
            nodes(req, resp, settings, "Capacity of " + node + ": " + r.getOrDefault("error", "refused"), null);
            return;
        }
        if (apply) {
            resp.sendRedirect("/console/nodes");
            return;
        }
        Map<String, Object> scope = scope(req, settings, "Nodes");
        long lent = ((Number) r.get("capacity")).longValue();
        scope.put("title", "Change " + node + " to " + Bytes.human(lent) + (zone == null || zone.isEmpty() ? "" : " in zone " + zone) + "?");
        scope.put("node", node);
        scope.put("action", "capacity");
        scope.put("label", "change " + node);
        scope.put("capacity", Long.toString(lent));
        scope.put("zone", zone);
        long moved = ((Number) r.get("partitionCopiesMoved")).longValue();
        scope.put("preview", moved == 0
                ? "Nothing moves: the layout stays as it is. Usable space goes from " + Bytes.human(((Number) r.get("usableBefore")).longValue())
                + " to " + Bytes.human(((Number) r.get("usableAfter")).longValue()) + "."
                : moved + " of " + r.get("partitionCopies") + " partition copies move, about " + Bytes.human(((Number) r.get("bytesToMove"))
                .longValue()) + " of data, at the repair bandwidth; each old copy is dropped only after its new holder confirmed it. "
                + "Usable space goes from " + Bytes.human(((Number) r.get("usableBefore")).longValue()) + " to "
                + Bytes.human(((Number) r.get("usableAfter")).longValue()) + ". The change stays until the node's own settings "
                + "(BLOCKCLOSET_CAPACITY, BLOCKCLOSET_ZONE) are changed.");
        pages.render(resp, 200, "confirm", scope);
    }

    private void nodes(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String error,
                       Map<String, Object> token) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Nodes");
        scope.put("title", "Nodes");
        scope.put("error", error);
        scope.put("token", token);
        List<Map<String, Object>> waiting = backend.waitingToJoin();
        scope.put("waiting", waiting.isEmpty() ? null : Map.of("nodes", waiting.stream().map(w -> {
            Map<String, Object> m = new HashMap<>(w);
            m.put("since", shortTime(w.get("since")));
            return m;
        }).toList()));
        backend.readBarrier();
        Map<String, Object> cluster = backend.cluster();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.getOrDefault("nodes", List.of());
        @SuppressWarnings("unchecked")
        long layoutVersion = ((Number) ((Map<String, Object>) cluster.getOrDefault("layout", Map.of())).getOrDefault("version", 0))
                .longValue();
        scope.put("nodes", nodes.stream().map(n -> {
            Map<String, Object> m = new HashMap<>(n);
            m.put("since", shortTime(n.get("since")));
            m.put("lastHeartbeat", shortTime(n.get("lastHeartbeat")));
            m.put("capacityHuman", Bytes.human(((Number) n.getOrDefault("capacity", 0L)).longValue()));
            m.put("usedHuman", n.containsKey("used") ? Bytes.human(((Number) n.get("used")).longValue()) : "?");
            m.put("stateClass", "up".equals(n.get("state")) ? "green" : "suspect".equals(n.get("state")) ? "amber" : "red");
            if (n.get("repair") != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = org.blockcloset.ledger.codec.Json.MAPPER.convertValue(n.get("repair"), Map.class);
                long left = ((Number) r.getOrDefault("blocksLeft", 0)).longValue();
                long bytesLeft = ((Number) r.getOrDefault("bytesLeft", 0)).longValue();
                Object eta = r.get("etaSeconds");
                long seenLayout = ((Number) r.getOrDefault("layoutVersion", 0)).longValue();
                m.put("repairText", seenLayout < layoutVersion ? "its next pass takes up layout v" + layoutVersion
                        : left == 0 && ((Number) r.getOrDefault("surplusLeft", 0)).longValue() == 0 ? "in place"
                        : left + " blocks (" + Bytes.human(bytesLeft) + ") to copy" + (eta instanceof Number e && e.longValue() > 0
                        ? ", about " + Duration.ofSeconds(e.longValue()).toString().substring(2).toLowerCase(Locale.ROOT) + " left" : "")
                        + ", " + r.getOrDefault("surplusLeft", 0) + " surplus copies to drop");
                long toCopy = ((Number) r.getOrDefault("bytesToCopy", 0)).longValue();
                if (toCopy > 0 && bytesLeft > 0) {
                    m.put("repairBar", Map.of("value", toCopy - bytesLeft, "max", toCopy));
                }
            }
            if (n.get("scrub") != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sc = org.blockcloset.ledger.codec.Json.MAPPER.convertValue(n.get("scrub"), Map.class);
                long checked = ((Number) sc.getOrDefault("blocksChecked", 0)).longValue();
                long total = ((Number) sc.getOrDefault("blocksTotal", 0)).longValue();
                long passes = ((Number) sc.getOrDefault("passes", 0)).longValue();
                if (passes == 0 && total == 0) {
                    m.put("scrubText", "scrub: no pass yet");
                } else {
                    m.put("scrubText", "scrub pass " + passes + " (" + sc.get("state") + "): " + checked + " of " + total
                            + " blocks checked, " + sc.getOrDefault("corruptFound", 0) + " corrupt");
                    m.put("scrubBar", Map.of("value", checked, "max", Math.max(1, total)));
                }
            }
            m.put("draining", n.get("draining") != null);
            return m;
        }).toList());
        scope.put("cluster", cluster);
        pages.render(resp, 200, "nodes", scope);
    }

    /** The capacity planner: the current nodes, minus those the user takes out, plus what-if disks. */
    private void planner(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Nodes");
        scope.put("title", "Capacity planner");
        backend.readBarrier();
        java.util.Set<String> removed = new java.util.HashSet<>(List.of(req.getParameterValues("remove") == null ? new String[0]
                : req.getParameterValues("remove")));
        List<CapacityPlanner.Node> nodes = new ArrayList<>();
        List<Map<String, Object>> existing = new ArrayList<>();
        for (var n : ledger().views().nodes()) {
            if (!n.lends()) {
                continue;
            }
            boolean out = removed.contains(n.nodeId());
            existing.add(Map.of("id", n.nodeId(), "capacity", Bytes.human(n.capacity()), "removed", out));
            if (!out) {
                nodes.add(new CapacityPlanner.Node(n.nodeId(), n.capacity(), false));
            }
        }
        List<String> errors = new ArrayList<>();
        String added = param(req, "add", "");
        int i = 0;
        for (String part : added.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                nodes.add(new CapacityPlanner.Node("new " + (++i) + " (" + part.trim() + ")",
                        io.dropwizard.util.DataSize.parse(part.trim()).toBytes(), true));
            } catch (IllegalArgumentException e) {
                errors.add("\"" + part.trim() + "\" is not a size (say 4TiB, 500GB, 2 TiB)");
            }
        }
        long next;
        try {
            next = io.dropwizard.util.DataSize.parse(param(req, "next", "1TiB").trim()).toBytes();
        } catch (IllegalArgumentException e) {
            errors.add("the next disk's size is not a size");
            next = 1L << 40;
        }
        long stored = ledger().views().buckets().stream().mapToLong(b -> ledger().views().bucketStats(b.name()).bytes()).sum();
        int copies = Math.max(1, ledger().views().layout().replication());
        scope.put("existing", existing);
        scope.put("add", added);
        scope.put("next", param(req, "next", "1TiB"));
        scope.put("error", errors.isEmpty() ? null : String.join("; ", errors));
        scope.put("rows", nodes.stream().map(n -> Map.of("name", n.name(), "capacity", Bytes.human(n.capacity()), "added", n.added())).toList());
        long u2 = CapacityPlanner.usable(nodes, 2);
        long u3 = CapacityPlanner.usable(nodes, 3);
        scope.put("usable2", u2 < 0 ? "needs 2 nodes" : Bytes.human(u2));
        scope.put("usable3", u3 < 0 ? "needs 3 nodes" : Bytes.human(u3));
        scope.put("copies", copies);
        scope.put("stored", Bytes.human(stored));
        scope.put("losses", CapacityPlanner.losses(nodes, copies, stored).stream().map(l -> Map.of("name", l.name(),
                "usable", Bytes.human(l.usableAfter()), "verdict", !l.enoughNodes() ? "no: too few nodes left for " + copies + " copies"
                        : l.fits() ? "yes" : "no: what is stored no longer fits at " + copies + " copies",
                "ok", l.enoughNodes() && l.fits())).toList());
        CapacityPlanner.Suggestion best = CapacityPlanner.nextDisk(nodes, copies, next);
        scope.put("best", best.gain() <= 0 ? "Nowhere: at " + copies + " copies another disk of that size adds no usable space."
                : "On " + best.where() + ": " + Bytes.human(best.gain()) + " more usable space at " + copies + " copies.");
        pages.render(resp, 200, "planner", scope);
    }

    private void account(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings, String error, String done)
            throws IOException {
        Map<String, Object> scope = scope(req, settings, "");
        scope.put("title", "Account");
        scope.put("error", error);
        scope.put("done", done);
        pages.render(resp, error == null ? 200 : 400, "account", scope);
    }

    /** A new password: the current one first; every other session of the user ends. */
    private void changePassword(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings)
            throws IOException, LedgerUnavailableException {
        ConsoleDb.Session s = AdminAccess.session(req);
        ConsoleAuth.Attempt attempt = auth.begin(req);
        if (!attempt.allowed()) {
            account(req, resp, settings, attempt.why() + "; wait " + Math.max(1, attempt.retryAfter().toSeconds()) + " s.", null);
            return;
        }
        Optional<Boolean> verified = auth.verifyPassword(param(req, "current", ""), settings.passwordHash());
        if (verified.isEmpty()) {
            account(req, resp, settings, "This node is checking other passwords right now; try again in a second.", null);
            return;
        }
        if (!verified.get()) {
            account(req, resp, settings, "The current password is wrong.", null);
            return;
        }
        auth.succeeded(req);
        String password = param(req, "password", "");
        String weak = Passwords.weakness(password);
        if (weak == null && !password.equals(req.getParameter("password2"))) {
            weak = "The two new passwords differ.";
        }
        if (weak != null) {
            account(req, resp, settings, weak, null);
            return;
        }
        try {
            ledger().append(actor(req), UUID.randomUUID().toString(), req.getRemoteAddr(),
                    new org.blockcloset.ledger.event.ConsolePasswordChanged(s.username(), Passwords.hash(password)));
        } catch (RejectedException e) {
            account(req, resp, settings, "The password was not changed: " + e.rejection() + ".", null);
            return;
        }
        auth.endAllSessions(s.username());
        auth.startSession(s.username(), req, resp);
        resp.sendRedirect("/console/account?changed");
    }

    private void connect(HttpServletRequest req, HttpServletResponse resp, ConsoleSettings settings) throws IOException {
        Map<String, Object> scope = scope(req, settings, "Connect");
        scope.put("title", "Connect a client");
        String host = req.getServerName();
        String endpoint = backend.s3Scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + backend.s3Port();
        scope.put("endpoint", endpoint);
        scope.put("region", backend.region());
        Optional<ConsoleBackend.AccessKeyPair> key = backend.bootstrapKey();
        scope.put("accessKeyId", key.map(ConsoleBackend.AccessKeyPair::accessKeyId).orElse("YOUR_ACCESS_KEY_ID"));
        scope.put("secretAccessKey", key.map(ConsoleBackend.AccessKeyPair::secretAccessKey).orElse("YOUR_SECRET_ACCESS_KEY"));
        scope.put("haveKey", key.isPresent());
        pages.render(resp, 200, "connect", scope);
    }

    /** "2026-11-29 22:04 UTC" from an ISO instant string; anything else as it is. */
    private static String shortTime(Object iso) {
        if (iso == null) {
            return "";
        }
        try {
            return Bytes.when(Instant.parse(iso.toString()));
        } catch (java.time.format.DateTimeParseException e) {
            return iso.toString();
        }
    }

    private static String actor(HttpServletRequest req) {
        ConsoleDb.Session s = AdminAccess.session(req);
        return "console:" + (s == null ? "?" : s.username());
    }

    private static String param(HttpServletRequest req, String name, String otherwise) {
        String v = req.getParameter(name);
        return v == null ? otherwise : v;
    }

    private static final Map<String, String> STATIC_TYPES = Map.of("css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");

    private void staticFile(String name, HttpServletResponse resp) throws IOException {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        InputStream in = name.matches("[a-z0-9-]+\\.[a-z]+") && STATIC_TYPES.containsKey(ext)
                ? ConsoleServlet.class.getResourceAsStream("static/" + name) : null;
        if (in == null) {
            resp.sendError(404);
            return;
        }
        try (in) {
            resp.setContentType(STATIC_TYPES.get(ext));
            resp.setHeader("Cache-Control", "max-age=3600");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            in.transferTo(resp.getOutputStream());
        }
    }
}
