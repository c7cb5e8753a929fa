package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Permission;

/**
 * Canned ACLs and anonymous access, and bucket CORS with a browser's preflight, through the AWS SDK
 * (signed and anonymous clients) and a plain HTTP client for what a browser sends.
 */
class AclCorsIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();
    private static S3Client anonymous;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        anonymous = S3Client.builder().endpointOverride(NODE.node().endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryPolicy(software.amazon.awssdk.core.retry.RetryPolicy.none())).build();
    }

    @AfterAll
    static void stop() {
        if (anonymous != null) {
            anonymous.close();
        }
    }

    private static S3Client s3() {
        return NODE.s3();
    }

    @Test
    void anonymousReadsOnlyWhatAnAclOpens() {
        s3().createBucket(b -> b.bucket("shared"));
        s3().putObject(p -> p.bucket("shared").key("public.txt").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("hello"));
        s3().putObject(p -> p.bucket("shared").key("private.txt"), RequestBody.fromString("secret"));

        assertEquals("hello", anonymous.getObjectAsBytes(g -> g.bucket("shared").key("public.txt")).asUtf8String());
        assertEquals(5L, anonymous.headObject(h -> h.bucket("shared").key("public.txt")).contentLength());
        // A public object's link cannot choose how it is served (as S3: signed requests only).
        assertS3Error(400, "InvalidRequest", () -> anonymous.getObjectAsBytes(g -> g.bucket("shared").key("public.txt")
                .responseContentType("text/html")));
        String overridden = s3().getObjectAsBytes(g -> g.bucket("shared").key("public.txt").responseContentType("text/html"))
                .response().contentType();
        assertTrue(overridden.startsWith("text/html"), "a signed request may: " + overridden);
        // A NUL in a key would collide with the views' separator: refused (Jetty already refuses %00 in a path).
        assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class,
                () -> s3().putObject(p -> p.bucket("shared").key("nul\0key"), RequestBody.fromString("x"))).statusCode());
        assertS3Error(403, "AccessDenied", () -> anonymous.getObjectAsBytes(g -> g.bucket("shared").key("private.txt")));
        assertS3Error(403, "AccessDenied", () -> anonymous.getObjectAsBytes(g -> g.bucket("shared").key("missing.txt")));
        assertS3Error(403, "AccessDenied", () -> anonymous.listObjectsV2(l -> l.bucket("shared")));
        assertS3Error(403, "AccessDenied", () -> anonymous.putObject(p -> p.bucket("shared").key("drop"), RequestBody.fromString("x")));
        assertS3Error(403, "AccessDenied", () -> anonymous.listBuckets());

        List<Grant> grants = s3().getObjectAcl(g -> g.bucket("shared").key("public.txt")).grants();
        assertTrue(grants.stream().anyMatch(g -> g.permission() == Permission.FULL_CONTROL), "the owner's full control");
        assertTrue(grants.stream().anyMatch(g -> g.permission() == Permission.READ
                && "http://acs.amazonaws.com/groups/global/AllUsers".equals(g.grantee().uri())));
        s3().putObjectAcl(p -> p.bucket("shared").key("public.txt").acl(ObjectCannedACL.PRIVATE));
        assertS3Error(403, "AccessDenied", () -> anonymous.getObjectAsBytes(g -> g.bucket("shared").key("public.txt")));
        assertEquals(1, s3().getObjectAcl(g -> g.bucket("shared").key("public.txt")).grants().size());

        // A public-read bucket lists to anyone; its objects stay as private as their own ACLs.
        s3().putBucketAcl(p -> p.bucket("shared").acl(BucketCannedACL.PUBLIC_READ));
        assertEquals(2, anonymous.listObjectsV2(l -> l.bucket("shared")).keyCount());
        assertS3Error(403, "AccessDenied", () -> anonymous.getObjectAsBytes(g -> g.bucket("shared").key("private.txt")));
        assertTrue(s3().getBucketAcl(g -> g.bucket("shared")).grants().stream()
                .anyMatch(g -> g.permission() == Permission.READ && g.grantee().uri() != null));
    }

    @Test
    void aPublicReadWriteBucketTakesAnonymousUploadsAndAuthenticatedReadNeedsAKey() {
        s3().createBucket(b -> b.bucket("dropbox").acl(BucketCannedACL.PUBLIC_READ_WRITE));
        anonymous.putObject(p -> p.bucket("dropbox").key("note"), RequestBody.fromString("from anyone"));
        assertEquals("from anyone", s3().getObjectAsBytes(g -> g.bucket("dropbox").key("note")).asUtf8String(),
                "an anonymous upload arrives whole (its aws-chunked body decoded and checked)");

        s3().putObject(p -> p.bucket("dropbox").key("members").acl(ObjectCannedACL.AUTHENTICATED_READ), RequestBody.fromString("m"));
        assertS3Error(403, "AccessDenied", () -> anonymous.getObjectAsBytes(g -> g.bucket("dropbox").key("members")));
        assertEquals("m", s3().getObjectAsBytes(g -> g.bucket("dropbox").key("members")).asUtf8String());
        assertS3Error(501, "NotImplemented", () -> s3().putObject(p -> p.bucket("dropbox").key("x").acl(ObjectCannedACL.AWS_EXEC_READ),
                RequestBody.fromString("x")));
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(NODE.node().endpoint() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void corsPreflightAndResponseHeaders() throws Exception {
        s3().createBucket(b -> b.bucket("webapp"));
        s3().putObject(p -> p.bucket("webapp").key("app.js").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("js"));
        assertEquals(403, send("OPTIONS", "/webapp/app.js", "Origin", "https://photos.home.arpa",
                "Access-Control-Request-Method", "GET").statusCode(), "no CORS configuration: no preflight");
        assertS3Error(404, "NoSuchCORSConfiguration", () -> s3().getBucketCors(g -> g.bucket("webapp")));

        s3().putBucketCors(p -> p.bucket("webapp").corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedOrigins("https://*.home.arpa").allowedMethods("GET", "PUT").allowedHeaders("x-amz-*", "content-type")
                        .exposeHeaders("ETag").maxAgeSeconds(600).build())));
        assertEquals(List.of("https://*.home.arpa"), s3().getBucketCors(g -> g.bucket("webapp")).corsRules().get(0).allowedOrigins());

        HttpResponse<String> ok = send("OPTIONS", "/webapp/app.js", "Origin", "https://photos.home.arpa",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type, x-amz-date");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("https://photos.home.arpa", ok.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("GET, PUT", ok.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
        assertEquals("content-type, x-amz-date", ok.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
        assertEquals("600", ok.headers().firstValue("Access-Control-Max-Age").orElse(null));

        assertEquals(403, send("OPTIONS", "/webapp/app.js", "Origin", "https://evil.example",
                "Access-Control-Request-Method", "GET").statusCode(), "an origin no rule names");
        assertEquals(403, send("OPTIONS", "/webapp/app.js", "Origin", "https://photos.home.arpa",
                "Access-Control-Request-Method", "DELETE").statusCode(), "a method no rule names");
        assertEquals(403, send("OPTIONS", "/webapp/app.js", "Origin", "https://photos.home.arpa",
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization").statusCode(),
                "a header no rule names");
        assertEquals(400, send("OPTIONS", "/webapp/app.js", "Access-Control-Request-Method", "GET").statusCode(), "no Origin");

        HttpResponse<String> get = send("GET", "/webapp/app.js", "Origin", "https://photos.home.arpa");
        assertEquals(200, get.statusCode());
        assertEquals("js", get.body());
        assertEquals("https://photos.home.arpa", get.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("ETag", get.headers().firstValue("Access-Control-Expose-Headers").orElse(null));
        HttpResponse<String> denied = send("GET", "/webapp/missing.js", "Origin", "https://photos.home.arpa");
        assertEquals(403, denied.statusCode());
        assertEquals("https://photos.home.arpa", denied.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                "errors carry the CORS headers too, so the page can read them");
        assertNull(send("GET", "/webapp/app.js", "Origin", "https://evil.example").headers()
                .firstValue("Access-Control-Allow-Origin").orElse(null));

        s3().deleteBucketCors(d -> d.bucket("webapp"));
        assertS3Error(404, "NoSuchCORSConfiguration", () -> s3().getBucketCors(g -> g.bucket("webapp")));
    }
}
