package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The console in a real headless Chromium, and its door tested with a plain HTTP client: first-run
 * setup with the code `up` printed, login, buckets and keys made in the browser and used through S3,
 * anonymous and CSRF-less requests refused, wrong passwords throttled. Screenshots of every page go
 * to target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    @RegisterExtension
    // Every request counts as slow here, so the slow-request log has something to show.
    // and the charts take a point every second instead of every minute.
    static final NodeExtension NODE = new NodeExtension(Map.of("BLOCKCLOSET_SLOW_REQUEST", "0 seconds",
            "BLOCKCLOSET_CHART_INTERVAL", "1 second"));
    private static final String PASSWORD = "correct horse battery";
    private static final Pattern SETUP_CODE = Pattern.compile("Console setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Test
    @Order(1)
    void beforeSetupOnlyProbesAndTheSetupPageAnswerAnonymousCallers() throws Exception {
        ConsoleHttp anon = new ConsoleHttp(NODE.node());
        assertEquals(200, anon.get("/healthcheck").statusCode());
        assertEquals(200, anon.get("/ping").statusCode());
        assertEquals(200, anon.get("/metrics").statusCode(), "metrics are open unless BLOCKCLOSET_METRICS_TOKEN is set");
        HttpResponse<String> prometheus = anon.get("/metrics/prometheus");
        assertEquals(200, prometheus.statusCode());
        assertTrue(prometheus.body().contains("blocks_capacity_bytes "), "Prometheus text format of the node's metrics");
        for (String path : new String[] {"/threads", "/pprof", "/tasks/log-level"}) {
            assertEquals(401, anon.get(path).statusCode(), path);
        }
        assertEquals(400, anon.get("/healthcheck/../threads").statusCode(), "a walking path is refused (AdminDoorIT)");
        assertEquals(401, anon.post("/tasks/gc", Map.of()).statusCode());
        assertEquals(302, anon.get("/").statusCode());
        HttpResponse<String> console = anon.get("/console/buckets");
        assertEquals(302, console.statusCode());
        assertTrue(console.headers().firstValue("Location").orElse("").startsWith("/console/login"));
        assertEquals(302, anon.get("/console/login").statusCode(), "no login before setup: to the setup page");
        assertEquals(200, anon.get("/console/setup").statusCode());
        assertEquals(401, AdminApi.call(NODE.node(), "GET", "/api/keys", null, null).get("status").asInt());
    }

    @Test
    @Order(2)
    void setupLoginBucketsAndKeysInTheBrowser() throws Exception {
        String code = setupCode();
        String admin = NODE.node().adminUrl();
        try (Browser b = new Browser()) {
            b.open(admin + "/console/");
            assertEquals("/console/setup", b.path());
            b.screenshot("01-setup");
            b.type("#setupCode", "AAAAA-BBBBB");
            b.type("#clusterName", "attic");
            b.type("#password", PASSWORD);
            b.type("#password2", PASSWORD);
            b.clickAndWait("#setup");
            assertTrue(b.text(".error").contains("not the setup code"), b.text("main"));
            b.screenshot("02-setup-wrong-code");

            b.type("#setupCode", code.toLowerCase().replace("-", ""));
            b.type("#clusterName", "attic");
            b.type("#password", PASSWORD);
            b.type("#password2", PASSWORD);
            b.clickAndWait("#setup");
            assertEquals("/console/connect", b.path());
            assertEquals("http://127.0.0.1:" + NODE.node().s3Port(), b.text("#endpoint"));
            assertEquals(Node.ACCESS_KEY, b.text("#accessKeyId"));
            assertTrue(b.text("main").contains("restic -r s3:"));
            b.screenshot("03-connect");

            b.open(admin + "/console/");
            assertTrue(b.text("#health").contains("Healthy"), b.text("#health"));
            b.screenshot("04-overview");
            b.phoneScreenshot("04-overview-phone");

            b.open(admin + "/console/buckets");
            b.type("#bucketName", "Not_A_Bucket");
            // The browser's own pattern check would stop the form; the node must refuse it too.
            b.driver.executeScript("document.getElementById('bucketName').removeAttribute('pattern')");
            b.clickAndWait("#createBucket");
            assertTrue(b.text(".error").contains("not a valid bucket name"));
            b.type("#bucketName", "photos");
            b.clickAndWait("#createBucket");
            assertTrue(b.text("#buckets").contains("photos"));
            b.screenshot("05-buckets");
            NODE.s3().headBucket(h -> h.bucket("photos"));

            b.open(admin + "/console/keys");
            b.type("#keyDescription", "restic on the NAS");
            new org.openqa.selenium.support.ui.Select(b.find("#keyBucket")).selectByVisibleText("photos");
            b.clickAndWait("#createKey");
            String id = b.text("#newKeyId");
            String secret = b.text("#newKeySecret");
            b.screenshot("06-key-created");
            try (S3Client restic = client(id, secret)) {
                assertEquals(List.of("photos"), restic.listBuckets().buckets().stream().map(x -> x.name()).toList(),
                        "the key reaches the bucket chosen for it, and no other");
                b.open(admin + "/console/keys");
                assertFalse(b.driver.getPageSource().contains(secret), "a key's secret is shown only once");
                b.find("form[action='/console/keys/revoke'] input[value='" + id + "']");
                b.driver.executeScript("document.querySelector(\"input[value='" + id + "']\").form.submit()");
                b.find("main");
                S3Exception refused = assertThrows(S3Exception.class, restic::listBuckets);
                assertEquals(403, refused.statusCode(), "a revoked key is refused at once");
            }
            b.open(admin + "/console/keys");
            assertTrue(b.text("#keys").contains("revoked"));
            b.screenshot("07-keys");

            b.open(admin + "/console/nodes");
            assertTrue(b.text("#nodes").contains("up"));
            b.clickAndWait("#joinToken");
            assertTrue(b.text("#joinCommand").contains("BLOCKCLOSET_JOIN_TOKEN="), b.text("main"));
            b.screenshot("08-nodes");
            b.open(admin + "/console/planner");
            assertEquals("needs 2 nodes", b.text("#usable2"), "one node keeps one copy");
            b.type("#planAdd", "4TiB, 1TiB");
            b.clickAndWait("#plan");
            assertEquals("1.01 TiB", b.text("#usable2"), "10 GiB + 4 TiB + 1 TiB at two copies: the 1 TiB and 10 GiB bind");
            assertEquals("10.0 GiB", b.text("#usable3"));
            b.screenshot("08b-planner");

            // A node's capacity from its row: a preview page first, then the change.
            b.open(admin + "/console/nodes");
            b.type("input[id^=capacity-]", "20GiB");
            b.clickAndWait("button[id^=resize-]");
            assertTrue(b.text("#preview").contains("Nothing moves") && b.text("#preview").contains("20.0 GiB"), b.text("#preview"));
            b.screenshot("08c-capacity-preview");
            b.clickAndWait("#confirm");
            assertEquals("/console/nodes", b.path());
            assertTrue(b.text("#nodes").contains("20.0 GiB"), b.text("#nodes"));

            b.clickAndWait("form.logout button");
            assertEquals("/console/login", b.path());
            b.open(admin + "/console/keys");
            assertEquals("/console/login", b.path(), "logged out: back to the login page");
            b.type("#user", "admin");
            b.type("#password", "wrong password!");
            b.clickAndWait("#login");
            assertTrue(b.text(".error").contains("Wrong user name or password"));
            b.type("#user", "admin");
            b.type("#password", PASSWORD);
            b.clickAndWait("#login");
            assertEquals("/console/keys", b.path(), "after login the page asked for");
            b.screenshot("09-login-then-keys");
        }
    }

    @Test
    @Order(3)
    void uploadBrowseDownloadShareThenFindItInTheTimelineAndReplayTheBucket() throws Exception {
        String admin = NODE.node().adminUrl();
        byte[] content = new byte[3 * 1024 * 1024 + 12345]; // four blocks
        new java.util.Random(7).nextBytes(content);
        java.nio.file.Path upload = TempDirs.create("console-upload-");
        java.nio.file.Path file = upload.resolve("holiday.bin");
        Files.write(file, content);
        NODE.s3().putObject(p -> p.bucket("photos").key("2025/old.txt"), software.amazon.awssdk.core.sync.RequestBody.fromString("old"));
        java.time.Instant beforeUpload = java.time.Instant.now();
        try (Browser b = new Browser()) {
            b.open(admin + "/console/login");
            b.type("#user", "admin");
            b.type("#password", PASSWORD);
            b.clickAndWait("#login");
            b.open(admin + "/console/browse?bucket=photos&prefix=2025/");
            b.find("#uploadFile").sendKeys(file.toString());
            b.clickAndWait("#upload"); // the script reloads the page once the upload is stored
            assertTrue(b.text("#objects").contains("holiday.bin"), b.text("main"));
            b.screenshot("10-browse-after-upload");
            assertEquals(content.length, NODE.s3().headObject(h -> h.bucket("photos").key("2025/holiday.bin")).contentLength());
            org.junit.jupiter.api.Assertions.assertArrayEquals(content,
                    NODE.s3().getObjectAsBytes(g -> g.bucket("photos").key("2025/holiday.bin")).asByteArray());

            b.open(admin + "/console/object?bucket=photos&key=2025/holiday.bin");
            assertTrue(b.text("#blocks").contains(": has"), b.text("#blocks"));
            assertEquals(4, b.driver.findElements(org.openqa.selenium.By.cssSelector("#blocks tbody tr")).size());
            assertTrue(b.text("#history").contains("ObjectPut"), b.text("#history"));
            b.screenshot("11-object");
            String download = b.find("#download").getAttribute("href");
            b.clickAndWait("#share");
            String shareUrl = b.text("#shareUrl");
            b.screenshot("12-share-link");

            // The links work for anyone: a plain client without the console's cookie or any key.
            HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<byte[]> shared = plain.send(HttpRequest.newBuilder(URI.create(shareUrl)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, shared.statusCode());
            org.junit.jupiter.api.Assertions.assertArrayEquals(content, shared.body());
            ConsoleHttp http = new ConsoleHttp(NODE.node());
            http.login("admin", PASSWORD);
            HttpResponse<String> redirect = http.get(URI.create(download).getRawPath() + "?" + URI.create(download).getRawQuery());
            assertEquals(302, redirect.statusCode());
            HttpResponse<byte[]> downloaded = plain.send(HttpRequest.newBuilder(URI.create(
                    redirect.headers().firstValue("Location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, downloaded.statusCode());
            assertTrue(downloaded.headers().firstValue("Content-Disposition").orElse("").contains("holiday.bin"));
            org.junit.jupiter.api.Assertions.assertArrayEquals(content, downloaded.body());
            assertEquals(403, plain.send(HttpRequest.newBuilder(URI.create(shareUrl.replace("X-Amz-Expires=86400",
                    "X-Amz-Expires=86401"))).build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "a changed link is refused");

            b.open(admin + "/console/audit?bucket=photos");
            String timeline = b.text("#events");
            assertTrue(timeline.contains("ObjectPut") && timeline.contains("photos/2025/holiday.bin"), timeline);
            assertTrue(timeline.contains("console:admin") && timeline.contains("127.0.0.1"), "who and from where: " + timeline);
            b.screenshot("13-audit");

            b.open(admin + "/console/browse?bucket=photos&prefix=2025/&asOf=" + beforeUpload);
            assertTrue(b.text("#asOf").contains("replayed from the log"));
            assertTrue(b.text("#objects").contains("old.txt"));
            assertFalse(b.text("#objects").contains("holiday.bin"), "as of before the upload the file is not there");
            b.screenshot("14-replay-before-upload");

            b.open(admin + "/console/diff?bucket=photos&from=" + beforeUpload + "&to=" + java.time.Instant.now().plusSeconds(1));
            String changes = b.text("#changes");
            assertTrue(changes.contains("2025/holiday.bin") && changes.contains("added"), changes);
            assertFalse(changes.contains("old.txt"), changes);
            b.screenshot("15-diff");

            ClusterChecks.until("the overview charts the requests", java.time.Duration.ofSeconds(30), () -> {
                b.open(admin + "/console/");
                return b.driver.findElements(org.openqa.selenium.By.cssSelector("#charts svg polyline")).size() == 3;
            });
            assertTrue(b.text("#charts").contains("/min"), b.text("#charts"));
            b.screenshot("15b-overview-charts");

            b.open(admin + "/console/diagnostics");
            String slow = b.text("#slow");
            assertTrue(slow.contains("PUT_OBJECT") && slow.contains("blocks durable") && slow.contains("log commit")
                    && slow.contains("view applied") && slow.contains("block writes on node-"), "a slow PUT with its stages: " + slow);
            assertTrue(b.text("#findings").contains("views follow the log"), b.text("#findings"));
            b.screenshot("16-diagnostics");
            b.open(admin + "/console/diagnostics/tail");
            assertTrue(b.text("#tail").contains("GET_OBJECT"), b.text("#tail"));
            b.screenshot("17-live-requests");
            HttpResponse<byte[]> zip = http.http.send(HttpRequest.newBuilder(URI.create(admin + "/console/diagnostics/bundle")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, zip.statusCode());
            java.util.Set<String> entries = new java.util.TreeSet<>();
            StringBuilder all = new StringBuilder();
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
                for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    entries.add(e.getName());
                    all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertTrue(entries.containsAll(java.util.List.of("about.json", "cluster.json", "health.json", "metrics.json",
                    "recent-log.txt", "slow-requests.json", "findings.json")), entries.toString());
            assertTrue(all.toString().contains(Node.ACCESS_KEY), "the settings are there");
            assertFalse(all.toString().contains(Node.SECRET_KEY), "but no secret");
            assertFalse(all.toString().contains("argon2id"), "nor the password's hash");

            b.open(admin + "/console/object?bucket=photos&key=2025/holiday.bin");
            b.clickAndWait("#deleteObject");
            assertFalse(b.text("main").contains("holiday.bin"), "deleted: gone from the listing");
            assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class,
                    () -> NODE.s3().headObject(h -> h.bucket("photos").key("2025/holiday.bin")));
        } finally {
            TempDirs.delete(upload);
        }
    }

    @Test
    @Order(4)
    void stateChangesNeedTheSessionsCsrfToken() throws Exception {
        ConsoleHttp http = new ConsoleHttp(NODE.node());
        http.login("admin", PASSWORD);
        String csrf = http.csrf("/console/buckets");
        assertEquals(403, http.post("/console/buckets", Map.of("name", "no-token")).statusCode());
        assertEquals(403, http.post("/console/buckets", Map.of("name", "wrong-token", "csrf", csrf + "x")).statusCode());
        assertEquals(403, http.post("/tasks/gc", Map.of()).statusCode(), "tasks need the token too");
        assertEquals(200, http.get("/threads").statusCode(), "a logged-in admin sees Dropwizard's pages");
        HttpResponse<String> gc = http.post("/tasks/gc", Map.of("csrf", csrf));
        assertEquals(200, gc.statusCode(), gc.body());
        assertTrue(gc.body().contains("garbage collection"), gc.body());
        HttpResponse<String> scrub = http.post("/tasks/scrub", Map.of("csrf", csrf));
        assertTrue(scrub.statusCode() == 200 && scrub.body().contains("scrub started"), scrub.body());
        java.time.Instant scrubbed = java.time.Instant.now().plusSeconds(30);
        while (!http.get("/console/nodes").body().contains("scrub pass 1")) {
            assertTrue(java.time.Instant.now().isBefore(scrubbed), "the Nodes page did not show the scrub pass in 30 s");
            Thread.sleep(200);
        }
        HttpResponse<String> rebuilt = http.post("/tasks/rebuild-views", Map.of("csrf", csrf));
        assertTrue(rebuilt.statusCode() == 200 && rebuilt.body().contains("this node's views match them"), rebuilt.body());
        String diagnostics = http.get("/console/diagnostics").body();
        assertTrue(diagnostics.contains("log replication") && diagnostics.contains("scrub of this node"), diagnostics);
        String metrics = http.get("/metrics").body();
        for (String metric : List.of("blocks.read-bytes", "blocks.written-bytes", "ledger.lag-events", "repair.bytes-left",
                "kafka.under-replicated-partitions", "s3.put_object")) {
            assertTrue(metrics.contains(metric), metric + " in " + metrics);
        }
        HttpResponse<String> made = http.post("/console/buckets", Map.of("name", "with-token", "csrf", csrf));
        assertEquals(302, made.statusCode(), made.body());
        NODE.s3().headBucket(h -> h.bucket("with-token"));
        assertEquals(302, http.post("/console/buckets/copies", Map.of("name", "with-token", "copies", "2", "csrf", csrf)).statusCode());
        assertTrue(http.get("/console/audit").body().contains("BucketReplicationChanged"), "the change is an event on the log");
        assertTrue(http.post("/console/buckets/copies", Map.of("name", "with-token", "copies", "7", "csrf", csrf)).body()
                .contains("1, 2 or 3 copies"), "a factor the store cannot keep is refused with the reason");
        assertThrows(S3Exception.class, () -> NODE.s3().headBucket(h -> h.bucket("no-token")));
        assertThrows(S3Exception.class, () -> NODE.s3().headBucket(h -> h.bucket("wrong-token")));
        // Another session's token does not do either.
        ConsoleHttp other = new ConsoleHttp(NODE.node());
        other.login("admin", PASSWORD);
        assertEquals(403, other.post("/console/buckets", Map.of("name", "cross-token", "csrf", csrf)).statusCode());
    }

    @Test
    @Order(5)
    void aPasswordChangeNeedsTheCurrentOneAndEndsOtherSessions() throws Exception {
        ConsoleHttp one = new ConsoleHttp(NODE.node());
        one.login("admin", PASSWORD);
        ConsoleHttp other = new ConsoleHttp(NODE.node());
        other.login("admin", PASSWORD);
        String csrf = one.csrf("/console/account");
        HttpResponse<String> wrong = one.post("/console/account/password", Map.of("csrf", csrf, "current", "not it at all",
                "password", "a brand new password", "password2", "a brand new password"));
        assertEquals(400, wrong.statusCode());
        HttpResponse<String> changed = one.post("/console/account/password", Map.of("csrf", csrf, "current", PASSWORD,
                "password", "a brand new password", "password2", "a brand new password"));
        assertEquals(302, changed.statusCode(), changed.body());
        assertEquals(302, other.get("/console/").statusCode(), "the other session was logged out");
        assertEquals(200, one.get("/console/").statusCode(), "this one goes on");
        assertEquals(401, new ConsoleHttp(NODE.node()).tryLogin("admin", PASSWORD).statusCode(), "the old password is gone");
        ConsoleHttp again = new ConsoleHttp(NODE.node());
        again.login("admin", "a brand new password");
        assertEquals(302, again.post("/console/account/password", Map.of("csrf", again.csrf("/console/account"),
                "current", "a brand new password", "password", PASSWORD, "password2", PASSWORD)).statusCode());
    }

    @Test
    @Order(6)
    void wrongPasswordsAreThrottled() throws Exception {
        ConsoleHttp http = new ConsoleHttp(NODE.node());
        for (int i = 0; i < 5; i++) {
            assertEquals(401, http.tryLogin("admin", "not the password " + i).statusCode());
        }
        HttpResponse<String> locked = http.tryLogin("admin", PASSWORD);
        assertEquals(429, locked.statusCode(), "after five failures even the right password waits");
        assertTrue(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow()) > 0);
    }

    private static String setupCode() throws Exception {
        Matcher m = SETUP_CODE.matcher(Files.readString(NODE.node().log()));
        assertTrue(m.find(), "up prints the console setup code");
        return m.group(1);
    }

    private static S3Client client(String id, String secret) {
        return S3Client.builder().endpointOverride(NODE.node().endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    /** The console through a plain HTTP client with a cookie jar, redirects not followed. */
    static final class ConsoleHttp {
        private final Node node;
        final HttpClient http;

        ConsoleHttp(Node node) {
            this.node = node;
            this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
            String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
            return http.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        String csrf(String page) throws Exception {
            HttpResponse<String> r = get(page);
            Matcher m = CSRF.matcher(r.body());
            assertTrue(m.find(), "no csrf field on " + page + ": " + r.statusCode());
            return m.group(1);
        }

        HttpResponse<String> tryLogin(String user, String password) throws Exception {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("csrf", csrf("/console/login"));
            form.put("user", user);
            form.put("password", password);
            return post("/console/login", form);
        }

        void login(String user, String password) throws Exception {
            HttpResponse<String> r = tryLogin(user, password);
            assertEquals(302, r.statusCode(), r.body());
        }
    }
}
