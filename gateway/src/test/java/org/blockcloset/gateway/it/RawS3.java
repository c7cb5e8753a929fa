package org.blockcloset.gateway.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Hand-written HTTP/1.1 requests on a plain socket, signed with the SDK's own SigV4 signer, for
 * what no well-behaved client sends: bodies shorter or longer than their Content-Length, headers
 * announcing more than S3 accepts, and reads of responses that are cut short.
 */
final class RawS3 {
    /** A response as read off the socket; {@code complete} is false when the body is shorter than Content-Length. */
    record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String errorCode() {
            return ItSupport.errorCode(text());
        }
    }

    private final Node node;

    RawS3(Node node) {
        this.node = node;
    }

    /**
     * Signs a request with {@code UNSIGNED-PAYLOAD}. The SDK signs the payload of every plain-http
     * request, so the request is signed as https (the scheme is not part of a SigV4 signature) and
     * sent over plain http.
     */
    SdkHttpRequest sign(SdkHttpMethod method, String encodedPath, Map<String, String> query,
                        Consumer<SignRequest.Builder<AwsCredentialsIdentity>> extra) {
        SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder().method(method)
                .uri(URI.create("https://127.0.0.1:" + node.s3Port())).encodedPath(encodedPath);
        query.forEach(b::putRawQueryParameter);
        SdkHttpFullRequest request = b.build();
        return AwsV4HttpSigner.create().sign(s -> {
            s.identity(AwsCredentialsIdentity.create(Node.ACCESS_KEY, Node.SECRET_KEY))
                    .request(request)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.systemUTC());
            extra.accept(s);
        }).request();
    }

    SdkHttpRequest sign(SdkHttpMethod method, String encodedPath) {
        return sign(method, encodedPath, Map.of(), s -> { });
    }

    /** The request line and headers of {@code signed}, plus {@code extraHeaders}, ending with the blank line. */
    static byte[] head(SdkHttpRequest signed, Map<String, String> extraHeaders) {
        StringBuilder sb = new StringBuilder();
        String query = SdkHttpUtils.encodeAndFlattenQueryParameters(signed.rawQueryParameters()).map(q -> "?" + q).orElse("");
        sb.append(signed.method().name()).append(' ').append(signed.encodedPath()).append(query).append(" HTTP/1.1\r\n");
        signed.forEachHeader((name, values) -> sb.append(name).append(": ").append(String.join(",", values)).append("\r\n"));
        extraHeaders.forEach((name, value) -> sb.append(name).append(": ").append(value).append("\r\n"));
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Opens a connection, writes {@code head} and {@code body}, optionally half-closes (the client
     * has nothing more to send), and reads the response until the server closes the connection.
     */
    Response exchange(byte[] head, byte[] body, boolean shutdownOutput, int readTimeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.s3Port()), 5000);
            s.setSoTimeout(readTimeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(head);
            if (body != null) {
                out.write(body);
            }
            out.flush();
            if (shutdownOutput) {
                s.shutdownOutput();
            }
            return read(s.getInputStream());
        }
    }

    /** Sends a signed request with a body (Connection: close) and reads the whole response. */
    Response send(SdkHttpRequest signed, byte[] body) throws IOException {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("Content-Length", Integer.toString(body == null ? 0 : body.length));
        extra.put("Connection", "close");
        return exchange(head(signed, extra), body, false, 30_000);
    }

    /** Reads one response; the body up to Content-Length or EOF, whichever comes first. */
    static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed before the response headers ended: "
                        + headBytes.toString(StandardCharsets.ISO_8859_1));
            }
            headBytes.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : -1;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[64 << 10];
        boolean complete;
        try {
            while (length < 0 || body.size() < length) {
                int n = in.read(buf, 0, (int) (length < 0 ? buf.length : Math.min(buf.length, length - body.size())));
                if (n < 0) {
                    break;
                }
                body.write(buf, 0, n);
            }
            complete = length < 0 || body.size() == length;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            complete = false;
        }
        return new Response(status, headers, body.toByteArray(), complete);
    }
}
