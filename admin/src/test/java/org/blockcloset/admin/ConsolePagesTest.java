package org.blockcloset.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.memory.InMemoryLedger;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every console page, rendered by the real servlet behind its guard over real HTTP, on the
 * in-memory ledger (issue 18): set up through the form, then each page asked for with the session
 * (200, its title, no template error) and without it (sent to the login, nothing shown). The
 * browser tests (ConsoleIT) keep the whole node.
 */
class ConsolePagesTest {
    private static final String PASSWORD = "a long enough passphrase 42";

    @TempDir
    static Path dir;
    static Server server;
    static URI base;
    static InMemoryLedger ledger;
    static SetupCode setupCode;
    static ConsoleDb db;

    @BeforeAll
    static void start() throws Exception {
        ledger = new InMemoryLedger();
        ledger.append("system", "test", new AccessKeyCreated("PAGESACCESSKEY000001", "sealed", "bootstrap key", true,
                Instant.now(), null));
        ledger.append("system", "test", new BucketCreated("photos", Instant.now()));
        // An object as the views hold one (its block need not exist: no page here reads block bytes).
        ledger.append("PAGESACCESSKEY000001", "test", new ObjectPut(new ObjectVersion("photos", "2025/holiday.bin", "v1",
                1024, "\"etag\"", Instant.now(), Map.of("content-type", "application/octet-stream"), Map.of(), null, null,
                null, List.of(new BlockRef(BlockId.ofDigest(new byte[32]), 1024)))));
        db = ConsoleDb.open(dir.resolve("console"));
        ConsoleAuth auth = new ConsoleAuth(db, Clock.systemUTC());
        AdminAccess access = new AdminAccess(auth, "");
        setupCode = new SetupCode();
        server = new Server();
        ServerConnector http = new ServerConnector(server);
        http.setHost("127.0.0.1");
        http.setPort(0);
        server.addConnector(http);
        ServletContextHandler context = new ServletContextHandler();
        context.addFilter(new FilterHolder(new ConsoleGuard(access)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new ConsoleServlet(new Backend(ledger), auth, access, setupCode,
                new HealthCheckRegistry(), new MetricRegistry(), new RequestLog(Duration.ofSeconds(1)), db,
                Duration.ofMinutes(1))), "/console/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + http.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        db.close();
    }

    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static HttpResponse<String> get(HttpClient c, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient c, String path, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return c.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", base.toString()).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\"[^>]*value=\"([^\"]*)\"|value=\"([^\"]*)\"[^>]*name=\"" + name + "\"").matcher(html);
        assertTrue(m.find(), "the form has a " + name + " field");
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    /** Set up through the form (once), or log in; a browser with a session either way. */
    private static synchronized HttpClient loggedIn() throws Exception {
        HttpClient c = browser();
        if (ledger.views().console().isEmpty()) {
            HttpResponse<String> form = get(c, "/console/setup");
            assertEquals(200, form.statusCode(), form.body());
            HttpResponse<String> set = post(c, "/console/setup", Map.of("csrf", field(form.body(), "csrf"),
                    "setupCode", setupCode.code(), "clusterName", "pages", "adminUser", "admin", "password", PASSWORD,
                    "password2", PASSWORD));
            assertEquals(302, set.statusCode(), set.body());
            return c;
        }
        HttpResponse<String> page = get(c, "/console/login");
        HttpResponse<String> login = post(c, "/console/login", Map.of("csrf", field(page.body(), "csrf"), "user", "admin",
                "password", PASSWORD));
        assertEquals(302, login.statusCode(), login.body());
        return c;
    }

    /** Each page: GET path → the title it must show. */
    private static final Map<String, String> PAGES = new LinkedHashMap<>();

    static {
        PAGES.put("/console/", "Overview");
        PAGES.put("/console/buckets", "Buckets");
        PAGES.put("/console/keys", "Access keys");
        PAGES.put("/console/nodes", "Nodes");
        PAGES.put("/console/connect", "Connect");
        PAGES.put("/console/planner", "planner");
        String now = Instant.now().plusSeconds(60).toString();
        PAGES.put("/console/nodes/asof?at=" + now, "Membership as of");
        PAGES.put("/console/account", "Account");
        PAGES.put("/console/browse?bucket=photos", "photos");
        PAGES.put("/console/browse?bucket=photos&prefix=2025/", "holiday.bin");
        PAGES.put("/console/browse?bucket=photos&prefix=2025/&asOf=" + now, "holiday.bin");
        PAGES.put("/console/object?bucket=photos&key=2025/holiday.bin", "holiday.bin");
        PAGES.put("/console/diff?bucket=photos&from=2026-01-01T00:00:00Z&to=" + now, "photos");
        PAGES.put("/console/audit", "Audit");
        PAGES.put("/console/diagnostics", "Diagnostics");
        PAGES.put("/console/diagnostics/tail", "Diagnostics");
    }

    @Test
    void everyPageRendersWithASession() throws Exception {
        HttpClient c = loggedIn();
        for (var page : PAGES.entrySet()) {
            HttpResponse<String> r = get(c, page.getKey());
            assertEquals(200, r.statusCode(), page.getKey() + ": " + r.body());
            assertTrue(r.body().toLowerCase().contains(page.getValue().toLowerCase()), page.getKey() + " shows " + page.getValue());
            assertTrue(!r.body().contains("Exception") && !r.body().contains("{{"), page.getKey() + " rendered whole");
        }
        assertEquals(404, get(c, "/console/no-such-page").statusCode());
    }

    @Test
    void noPageShowsAnythingWithoutASession() throws Exception {
        loggedIn(); // set up, so the pages exist
        HttpClient stranger = browser();
        for (String path : PAGES.keySet()) {
            HttpResponse<String> r = get(stranger, path);
            assertEquals(302, r.statusCode(), path);
            assertEquals("/console/login", URI.create(r.headers().firstValue("Location").orElse("")).getPath(), path + " sends to the login");
            assertTrue(!r.body().contains("PAGESACCESSKEY000001") && !r.body().contains("photos"), path + " shows nothing of the store");
        }
    }

    @Test
    void aFormWithoutItsCsrfTokenChangesNothing() throws Exception {
        HttpClient c = loggedIn();
        HttpResponse<String> r = post(c, "/console/buckets", Map.of("name", "forged"));
        assertTrue(r.statusCode() == 403 || r.statusCode() == 401, "refused: " + r.statusCode());
        assertTrue(ledger.views().bucket("forged").isEmpty());
        HttpResponse<String> page = get(c, "/console/buckets");
        HttpResponse<String> made = post(c, "/console/buckets", Map.of("csrf", field(page.body(), "csrf"), "name", "made-here"));
        assertTrue(made.statusCode() < 400, "created with the token: " + made.statusCode() + " " + made.body());
        assertTrue(ledger.views().bucket("made-here").isPresent());
    }

    /** The node's side of the console, over the in-memory ledger: one node, up, lending 1 GiB. */
    private record Backend(Ledger ledger) implements ConsoleBackend {
        @Override
        public int s3Port() {
            return 9000;
        }

        @Override
        public String region() {
            return "us-east-1";
        }

        @Override
        public Optional<AccessKeyPair> bootstrapKey() {
            return Optional.of(new AccessKeyPair("PAGESACCESSKEY000001", "secret"));
        }

        @Override
        public org.blockcloset.ledger.service.AccessKeyService accessKeys() {
            return new org.blockcloset.ledger.service.AccessKeyService(ledger, new org.blockcloset.ledger.seal.SecretBox(new byte[32]),
                    java.time.Clock.systemUTC());
        }

        @Override
        public int copiesFor(String bucket) {
            return 1;
        }

        @Override
        public Map<String, Object> cluster() {
            return Map.of("nodes", List.of(Map.of("id", "node-1", "state", "up", "address", "127.0.0.1",
                            "since", Instant.now().toString(), "capacity", 1L << 30, "used", 0L)),
                    "redundancy", Map.of("state", "OK", "line", "Redundancy: OK"),
                    "layout", Map.of("version", 0));
        }

        @Override
        public boolean readBarrier() {
            return true;
        }

        @Override
        public List<Map<String, String>> holders(BlockRef block, int copies) {
            return List.of();
        }

        @Override
        public String putObject(String actor, String source, String bucket, String key, String contentType, long length,
                                InputStream body) throws Refused {
            throw new Refused(501, "no block store in this test");
        }

        @Override
        public String presignGet(String host, String bucket, String key, Duration expires, Map<String, String> extra) {
            return "http://" + host + "/" + bucket + "/" + key;
        }

        @Override
        public long viewLag() {
            return 0;
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        public Map<String, Object> settingsWithoutSecrets() {
            return Map.of("BLOCKCLOSET_REGION", "us-east-1");
        }

        @Override
        public Map<String, Object> createJoinToken(String actor) {
            return Map.of("token", "not-in-this-test");
        }

        @Override
        public Map<String, Object> nodeAction(String actor, String nodeId, String action) {
            return Map.of("error", "not in this test");
        }

        @Override
        public Map<String, Object> capacityChange(String actor, String nodeId, String capacity, String zone, boolean apply) {
            return Map.of("error", "not in this test");
        }
    }
}
