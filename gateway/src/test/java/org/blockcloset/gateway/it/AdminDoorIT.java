package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin port's door against paths that walk: every protected route, reached by raw request
 * paths that a filter reading the raw URI and a router reading the normalised one would see
 * differently (dot segments behind an open prefix, encoded and double-encoded dots, {@code ..;},
 * {@code //}, upper case), without a session, gives no content and changes nothing. The console is
 * set up first, so its pages and forms are live.
 */
class AdminDoorIT {
    private static final String METRICS_TOKEN = "metrics-token-for-the-door-test";
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension(Map.of("BLOCKCLOSET_METRICS_TOKEN", METRICS_TOKEN));
    private static final String PASSWORD = "correct horse battery";
    private static final Pattern SETUP_CODE = Pattern.compile("Console setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})");

    /** Protected routes: method and normalised path. */
    private static final List<String[]> TARGETS = List.of(
            new String[] {"POST", "/tasks/gc"},
            new String[] {"POST", "/tasks/log-level?logger=org.blockcloset.door&level=TRACE"},
            new String[] {"POST", "/tasks/rebuild-views"},
            new String[] {"GET", "/threads"},
            new String[] {"GET", "/pprof?duration=1"},
            new String[] {"GET", "/metrics"},
            new String[] {"GET", "/metrics/prometheus"},
            new String[] {"GET", "/console/"},
            new String[] {"GET", "/console/keys"},
            new String[] {"POST", "/console/keys"},
            new String[] {"GET", "/console/connect"},
            new String[] {"POST", "/console/nodes/join-token"},
            new String[] {"GET", "/console/diagnostics/bundle"},
            new String[] {"GET", "/console/audit"});

    /** What must never come back to a caller without a session. */
    private static final List<String> SECRETS = List.of(Node.SECRET_KEY, "Thread.State", "garbage collection",
            "Configured logging", "views match", "BLOCKCLOSET_JOIN", "jvm_memory", "jvm.memory", "secretAccessKey",
            "AccessKeyCreated", "ConsoleSetUp", "Secret access key");

    @BeforeAll
    static void setUpTheConsole() throws Exception {
        Matcher m = SETUP_CODE.matcher(Files.readString(NODE.node().log()));
        assertTrue(m.find(), "up prints the console setup code");
        ConsoleIT.ConsoleHttp http = new ConsoleIT.ConsoleHttp(NODE.node());
        String csrf = http.csrf("/console/setup");
        Map<String, String> form = new LinkedHashMap<>();
        form.put("csrf", csrf);
        form.put("setupCode", m.group(1));
        form.put("clusterName", "door");
        form.put("adminUser", "admin");
        form.put("password", PASSWORD);
        form.put("password2", PASSWORD);
        HttpResponse<String> set = http.post("/console/setup", form);
        assertEquals(302, set.statusCode(), set.body());
        assertEquals(200, http.get("/console/keys").statusCode(), "the console is set up and its pages live");
    }

    @Test
    void noWalkReachesAProtectedRouteWithoutASession() throws Exception {
        int keysBefore = accessKeys();
        String auditBefore = audit();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (String[] target : TARGETS) {
            for (String raw : walks(target[1])) {
                Raw r = send(target[0], raw);
                sent++;
                String why = refusedBadly(r);
                if (why != null) {
                    failures.add(target[0] + " " + raw + " -> " + r.status + ": " + why);
                }
            }
        }
        assertTrue(sent > 1000, "the list of walks is there: " + sent);
        assertTrue(failures.isEmpty(), failures.size() + " walks got through:\n" + String.join("\n", failures));
        // Nothing changed: no key, no join token, no task ran that leaves an event.
        assertEquals(keysBefore, accessKeys(), "no access key was made");
        assertEquals(auditBefore, audit(), "no event was appended");
    }

    /**
     * A page on the S3 port is the same site as the console, so SameSite lets the session cookie
     * ride its requests: the console refuses what a browser says comes from another origin.
     */
    @Test
    void aSessionDoesNotOpenTheConsoleToRequestsFromAnotherOrigin() throws Exception {
        ConsoleIT.ConsoleHttp http = new ConsoleIT.ConsoleHttp(NODE.node());
        http.login("admin", PASSWORD);
        String s3Page = "http://" + NODE.node().host() + ":" + NODE.node().s3Port();
        for (String[] headers : List.of(new String[] {"Sec-Fetch-Site", "same-site"}, new String[] {"Sec-Fetch-Site", "cross-site"},
                new String[] {"Origin", s3Page})) {
            for (String page : List.of("/console/", "/console/audit", "/console/keys")) {
                HttpResponse<String> r = http.http.send(java.net.http.HttpRequest.newBuilder(URI.create(NODE.node().adminUrl() + page))
                        .header(headers[0], headers[1]).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, r.statusCode(), headers[0] + ": " + headers[1] + " " + page);
                assertTrue(SECRETS.stream().noneMatch(r.body()::contains), r.body());
            }
        }
        for (String site : List.of("same-origin", "none")) {
            HttpResponse<String> r = http.http.send(java.net.http.HttpRequest.newBuilder(URI.create(NODE.node().adminUrl() + "/console/keys"))
                    .header("Sec-Fetch-Site", site).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "Sec-Fetch-Site: " + site);
        }
        assertEquals(200, http.get("/console/keys").statusCode(), "a client that says nothing of its origin: the session decides");
    }

    @Test
    void theOpenRoutesStayOpenAndTheMetricsNeedTheirToken() throws Exception {
        assertEquals(200, send("GET", "/healthcheck").status);
        assertEquals(200, send("GET", "/ping").status);
        assertEquals(200, send("GET", "/console/login").status);
        assertEquals(200, send("GET", "/console/static/console.css").status);
        assertEquals(401, send("GET", "/metrics").status, "the token is set");
        Raw metrics = send("GET", "/metrics", "Authorization: Bearer " + METRICS_TOKEN);
        assertEquals(200, metrics.status);
        assertTrue(metrics.body.contains("jvm.memory"), "the metrics, with the token");
        assertEquals(401, AdminApi.call(NODE.node(), "GET", "/api/keys", null, null).get("status").asInt());
        assertEquals(200, AdminApi.send(NODE.node(), "GET", "/api/keys", null, Node.ACCESS_KEY, Node.SECRET_KEY).statusCode());
        // A signature made for S3 does not open the admin API (its own credential scope service).
        URI uri = URI.create(NODE.node().adminUrl() + "/api/keys");
        software.amazon.awssdk.http.SdkHttpRequest s3Signed = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create()
                .sign(r -> r.identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(Node.ACCESS_KEY, Node.SECRET_KEY))
                        .request(software.amazon.awssdk.http.SdkHttpRequest.builder()
                                .method(software.amazon.awssdk.http.SdkHttpMethod.GET).uri(uri).build())
                        .payload(software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(new byte[0]))
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3"))
                .request();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri).GET();
        s3Signed.headers().forEach((name, values) -> {
            if (!Set.of("host", "content-length").contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("blockcloset-admin"), refused.body());
    }

    @Test
    void aSignedAdminCallThatChangesSomethingIsAcceptedOnce() throws Exception {
        URI uri = URI.create(NODE.node().adminUrl() + "/api/join-tokens");
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
        AdminApi.signedHeaders("POST", uri, new byte[0], Node.ACCESS_KEY, Node.SECRET_KEY).forEach((name, values) -> {
            if (!Set.of("host", "content-length").contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        java.net.http.HttpRequest signed = b.build();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpResponse<String> first = http.send(signed, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> again = http.send(signed, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, again.statusCode(), "a replayed call makes no second token: " + again.body());
        assertTrue(again.body().contains("already used"), again.body());
    }

    /**
     * Raw paths that end, once normalised, at {@code target}: behind every open prefix, with dots
     * plain, encoded in either case, double-encoded, with {@code ;} parameters, an empty segment, in
     * upper case.
     */
    static List<String> walks(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String query = target.contains("?") ? target.substring(target.indexOf('?')) : "";
        List<String> out = new ArrayList<>();
        out.add(path);
        out.add("/" + path);
        out.add(path.toUpperCase(Locale.ROOT));
        for (String open : List.of("/api", "/api/keys", "/console/static", "/console/login", "/metrics", "/healthcheck", "/ping")) {
            int depth = open.split("/").length - 1;
            for (String dots : List.of("..", "%2e%2e", "%2E%2E", ".%2e", "%252e%252e", "..;", "..;x=1", "%2e%2e;")) {
                StringBuilder up = new StringBuilder(open);
                for (int i = 0; i < depth; i++) {
                    up.append('/').append(dots);
                }
                out.add(up + path);
            }
            out.add(open + "/." + path);
            out.add(open + "/../" + path);
            out.add(open.toUpperCase(Locale.ROOT) + "/.." + path);
            out.add(open + "%2f.." + path);
            out.add(open + "/..%2f" + path.substring(1));
            out.add(open + "/..\\" + path.substring(1));
        }
        return out.stream().map(p -> p + query).toList();
    }

    /** Null when the answer gives nothing away; else what it gave. */
    private static String refusedBadly(Raw r) {
        for (String secret : SECRETS) {
            if (r.body.contains(secret)) {
                return "the answer holds '" + secret + "'";
            }
        }
        if (r.status == 302 || r.status == 303) {
            String to = r.headers.getOrDefault("location", "");
            return to.startsWith("/console/login") || to.contains("/console/login?") ? null : "redirected to " + to;
        }
        return r.status == 400 || r.status == 401 || r.status == 403 || r.status == 404 || r.status == 405
                ? null : "answered";
    }

    private static int accessKeys() throws Exception {
        HttpResponse<String> r = AdminApi.send(NODE.node(), "GET", "/api/keys", null, Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode keys = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        return keys.isArray() ? keys.size() : keys.path("keys").size();
    }

    /** The events on the audit timeline that the protected forms would append, counted by type. */
    private static String audit() throws Exception {
        ConsoleIT.ConsoleHttp http = new ConsoleIT.ConsoleHttp(NODE.node());
        http.login("admin", PASSWORD);
        HttpResponse<String> r = http.get("/console/audit");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("ConsoleSetUp"), "the timeline shows the setup");
        StringBuilder counts = new StringBuilder();
        for (String type : List.of("AccessKeyCreated", "JoinTokenCreated", "AccessKeyRevoked", "ConsolePasswordChanged")) {
            counts.append(type).append('=').append(r.body().split(type, -1).length - 1).append(' ');
        }
        return counts.toString();
    }

    record Raw(int status, Map<String, String> headers, String body) {
    }

    /** A request written as is on a socket: no client normalises its path. */
    private static Raw send(String method, String rawPath, String... headers) throws IOException {
        URI admin = URI.create(NODE.node().adminUrl());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(admin.getHost(), admin.getPort()), 5000);
            s.setSoTimeout(20_000);
            StringBuilder req = new StringBuilder(method + " " + rawPath + " HTTP/1.1\r\nHost: " + admin.getHost() + ":"
                    + admin.getPort() + "\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            if (method.equals("POST")) {
                req.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    h.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            return new Raw(status, h, body);
        }
    }
}
