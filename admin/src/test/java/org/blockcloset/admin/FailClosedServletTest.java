package org.blockcloset.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The servlets behind the admin port's door check their callers on their own: a real Jetty with
 * no {@link ConsoleGuard} in front, servlets registered as Dropwizard registers its own (one by
 * instance, one by class at {@code /*}), wrapped by {@link FailClosedServlet#wrapAll}.
 */
class FailClosedServletTest {
    static final AtomicInteger CALLS = new AtomicInteger();
    private static Path dir;
    private static ConsoleDb db;
    private static Server server;
    private static int port;
    private static String cookie;
    private static String csrf;

    /** Registered by class, as Dropwizard's admin servlet is. */
    public static final class Answering extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            CALLS.incrementAndGet();
            resp.getWriter().write("the protected answer");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("fail-closed-");
        db = ConsoleDb.open(dir);
        AdminAccess access = new AdminAccess(new ConsoleAuth(db, Clock.systemUTC()), "the-metrics-token");
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder("tasks", new Answering()), "/tasks/*");
        context.addServlet(Answering.class, "/*");
        server.setHandler(context);
        FailClosedServlet.wrapAll(context.getServletHandler(), access);
        assertTrue(FailClosedServlet.allGuarded(context.getServletHandler()));
        server.start();
        port = connector.getLocalPort();
        String token = ConsoleAuth.random(32);
        csrf = ConsoleAuth.random(24);
        long now = System.currentTimeMillis();
        db.sessions().insert(ConsoleAuth.sha256(token), "admin", csrf, now, now, now + 60_000, "127.0.0.1");
        cookie = ConsoleAuth.COOKIE + "=" + token;
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void withoutTheFilterEveryProtectedRouteStillNeedsASession() throws Exception {
        int before = CALLS.get();
        for (String path : List.of("/tasks/gc", "/threads", "/pprof", "/", "/healthcheck/x", "/api/keys")) {
            int status = send("GET", path, null).status();
            assertTrue(status == 401, path + " -> " + status);
        }
        assertEquals(401, send("POST", "/tasks/gc", null).status());
        assertEquals(302, send("GET", "/console/keys", null).status(), "a console page sends the browser to the login");
        assertEquals(302, send("GET", "/console/login", null).status(), "not the console: no public page here");
        for (String walk : List.of("/api/../tasks/gc", "/healthcheck/../threads", "/metrics/%2e%2e/threads", "/ping/..;/threads")) {
            assertEquals(400, send("GET", walk, null).status(), walk);
        }
        assertEquals(401, send("GET", "/metrics", null).status(), "the metrics token is set");
        assertEquals(before, CALLS.get(), "no protected servlet ran");
    }

    @Test
    void theProbesAreOpenAndASessionLetsIn() throws Exception {
        int before = CALLS.get();
        assertEquals(200, send("GET", "/healthcheck", null).status());
        assertEquals(200, send("GET", "/ping", null).status());
        assertEquals(200, send("GET", "/threads", cookie).status());
        assertEquals(403, send("POST", "/tasks/gc", cookie).status(), "a change needs the session's CSRF token");
        Answer gc = send("POST", "/tasks/gc", cookie, "X-CSRF-Token: " + csrf);
        assertEquals(200, gc.status());
        assertTrue(gc.body().contains("the protected answer"));
        assertEquals(before + 4, CALLS.get());
    }

    @Test
    void rawPathsThatWalkAreRefused() {
        for (String ok : List.of("/", "/api/buckets/my.bucket/replication", "/console/static/console.css", "/tasks/gc")) {
            assertNull(AdminAccess.rawPathProblem(ok), ok);
        }
        for (String bad : List.of("/api/../x", "/api/./x", "/api/..", "/api/%2e%2e/x", "/api/%2E%2E/x", "/api/.%2e/x",
                "/api/%252e%252e/x", "/api/..;/x", "/api;x=1/keys", "//tasks/gc", "/api\\..\\x", "/api/%2f../x", "/api/%5c",
                "/api/%00", "api/x", "")) {
            assertNotNull(AdminAccess.rawPathProblem(bad), bad);
        }
        assertEquals(AdminAccess.Door.PROBE, AdminAccess.doorOf("/healthcheck"));
        assertEquals(AdminAccess.Door.SESSION, AdminAccess.doorOf("/healthcheck/"));
        assertEquals(AdminAccess.Door.SESSION, AdminAccess.doorOf("/healthcheckx"));
        assertEquals(AdminAccess.Door.METRICS, AdminAccess.doorOf("/metrics/prometheus"));
        assertEquals(AdminAccess.Door.SESSION, AdminAccess.doorOf("/metrics/other"));
        assertEquals(AdminAccess.Door.CONSOLE_PUBLIC, AdminAccess.doorOf("/console/static/x.css"));
        assertEquals(AdminAccess.Door.SESSION, AdminAccess.doorOf("/console/logout"));
        assertEquals(AdminAccess.Door.API, AdminAccess.doorOf("/api/keys"));
    }

    record Answer(int status, String body) {
    }

    private static Answer send(String method, String path, String cookie, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (cookie != null) {
                req.append("Cookie: ").append(cookie).append("\r\n");
            }
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            if (method.equals("POST")) {
                req.append("Content-Length: 0\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            return new Answer(Integer.parseInt(text.split(" ", 3)[1]), text);
        }
    }
}
