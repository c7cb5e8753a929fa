package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * POST Object: an upload from an HTML form, built as a browser builds it (multipart/form-data,
 * the fields, then the file), with a policy signed the way AWS documents for browser uploads.
 */
class PostObjectIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String BUCKET = "inbox";

    @BeforeAll
    static void bucket() {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** The form fields of a signed upload: the policy over {@code conditions}, its credential and signature. */
    private static Map<String, String> signed(Instant expires, String conditions, Map<String, String> fields, String secret)
            throws Exception {
        Instant now = Instant.now();
        String date = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC).format(now);
        String credential = Node.ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request";
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        String policy = "{\"expiration\":\"" + expires + "\",\"conditions\":[" + conditions
                + ",{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"},{\"x-amz-credential\":\"" + credential + "\"},{\"x-amz-date\":\""
                + amzDate + "\"}]}";
        String policy64 = Base64.getEncoder().encodeToString(policy.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(hmac(hmac(key, "us-east-1"), "s3"), "aws4_request");
        Map<String, String> out = new LinkedHashMap<>(fields);
        out.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        out.put("x-amz-credential", credential);
        out.put("x-amz-date", amzDate);
        out.put("policy", policy64);
        out.put("x-amz-signature", HexFormat.of().formatHex(hmac(key, policy64)));
        return out;
    }

    private static HttpResponse<String> post(Map<String, String> fields, String fileName, byte[] file) throws Exception {
        String boundary = "----BrowserFormBoundary7MA4YWxkTrZu0gW";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue()
                    + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"submit\"\r\n\r\nUpload\r\n--" + boundary
                + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(NODE.node().endpoint() + "/" + BUCKET))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String CONDITIONS = "{\"bucket\":\"" + BUCKET + "\"},[\"starts-with\",\"$key\",\"uploads/\"],"
            + "[\"content-length-range\",1,100000],{\"success_action_status\":\"201\"},[\"starts-with\",\"$x-amz-meta-from\",\"\"]";

    private static boolean exists(String key) {
        return NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).keyCount() > 0;
    }

    @Test
    void aSignedFormUploadsTheFileUnderItsName() throws Exception {
        byte[] file = "hello from a form\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post(signed(Instant.now().plusSeconds(600), CONDITIONS,
                Map.of("key", "uploads/${filename}", "success_action_status", "201", "x-amz-meta-from", "browser"),
                Node.SECRET_KEY), "notes.txt", file);
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Key>uploads/notes.txt</Key>"), r.body());
        var got = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("uploads/notes.txt"));
        assertEquals(new String(file, StandardCharsets.UTF_8), got.asUtf8String());
        assertEquals("browser", got.response().metadata().get("from"));
        assertEquals("text/plain", got.response().contentType());
    }

    @Test
    void thePolicyDecidesWhatIsTaken() throws Exception {
        Map<String, String> fields = Map.of("key", "uploads/a.txt", "success_action_status", "201", "x-amz-meta-from", "x");
        // A field the policy does not name.
        Map<String, String> extra = new LinkedHashMap<>(fields);
        extra.put("x-amz-meta-sneaky", "1");
        HttpResponse<String> r = post(signed(Instant.now().plusSeconds(600), CONDITIONS, extra, Node.SECRET_KEY), "a.txt", new byte[10]);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("Extra input fields"), r.body());
        // A key outside the allowed prefix.
        Map<String, String> elsewhere = new LinkedHashMap<>(fields);
        elsewhere.put("key", "private/a.txt");
        assertEquals(403, post(signed(Instant.now().plusSeconds(600), CONDITIONS, elsewhere, Node.SECRET_KEY), "a.txt", new byte[10])
                .statusCode());
        // Too large for content-length-range: refused while it streams, nothing stored.
        r = post(signed(Instant.now().plusSeconds(600), CONDITIONS, fields, Node.SECRET_KEY), "a.txt", new byte[100_001]);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("EntityTooLarge"), r.body());
        // A NUL in the key would collide with the views' separator (bucket NUL key): refused, nothing stored.
        Map<String, String> nul = new LinkedHashMap<>(fields);
        nul.put("key", "uploads/a\u0000b.txt");
        r = post(signed(Instant.now().plusSeconds(600), CONDITIONS, nul, Node.SECRET_KEY), "a.txt", new byte[10]);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("InvalidArgument") && r.body().contains("NUL"), r.body());
        // Expired, and signed with the wrong secret.
        assertEquals(403, post(signed(Instant.now().minusSeconds(1), CONDITIONS, fields, Node.SECRET_KEY), "a.txt", new byte[10])
                .statusCode());
        r = post(signed(Instant.now().plusSeconds(600), CONDITIONS, fields, "not-the-secret"), "a.txt", new byte[10]);
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("SignatureDoesNotMatch"), r.body());
        // Fields beyond what a form needs are refused, not cut short.
        Map<String, String> huge = new LinkedHashMap<>(fields);
        huge.put("x-amz-meta-from", "y".repeat(300_000));
        r = post(signed(Instant.now().plusSeconds(600), CONDITIONS, huge, Node.SECRET_KEY), "a.txt", new byte[10]);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("MaxMessageLengthExceeded"), r.body());
        // Unsigned: only a public-read-write bucket would take it.
        assertEquals(403, post(Map.of("key", "uploads/a.txt"), "a.txt", new byte[10]).statusCode());
        assertTrue(!exists("uploads/a.txt") && !exists("private/"), "nothing refused was stored");
    }

    @Test
    void aRedirectSendsTheBrowserOnWithWhatWasStored() throws Exception {
        String conditions = "{\"bucket\":\"" + BUCKET + "\"},[\"starts-with\",\"$key\",\"\"],"
                + "{\"success_action_redirect\":\"https://photos.home.arpa/done\"}";
        HttpResponse<String> r = post(signed(Instant.now().plusSeconds(600), conditions,
                Map.of("key", "redirected.txt", "success_action_redirect", "https://photos.home.arpa/done"), Node.SECRET_KEY),
                "r.txt", "r".getBytes(StandardCharsets.UTF_8));
        assertEquals(303, r.statusCode(), r.body());
        String location = r.headers().firstValue("Location").orElse("");
        assertTrue(location.startsWith("https://photos.home.arpa/done?bucket=inbox&key=redirected.txt&etag="), location);
        assertTrue(exists("redirected.txt"));
    }
}
