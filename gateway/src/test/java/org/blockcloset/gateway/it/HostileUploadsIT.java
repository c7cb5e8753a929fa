package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.blockcloset.gateway.auth.RequestSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Sixteen clients at once each announce a 16 MiB signed aws-chunked chunk (which the node must hold
 * whole until its signature is checked) and send it with a bad chunk signature, against a node with
 * a 96 MiB heap: 256 MiB of chunks would not fit. The node's chunk budget makes them wait their turn
 * (or answers 503 SlowDown); it keeps serving an honest client throughout, and never runs out of memory.
 */
class HostileUploadsIT {
    private static final int CLIENTS = 16;
    private static final int CHUNK = 16 << 20;

    @TempDir
    Path dir;

    @Test
    void manyHugeSignedChunksAtOnceDoNotExhaustASmallHeap() throws Exception {
        try (Node node = Node.start(dir.resolve("node"), Map.of("NODE_HEAP", "96m", "BLOCKCLOSET_CAPACITY", "1GiB"));
             S3Client s3 = ItSupport.clientWithoutRetries(node)) {
            s3.createBucket(b -> b.bucket("hostile"));
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                outcomes.add(pool.submit(() -> hostileUpload(node, "hostile-" + n)));
            }
            pool.shutdown();
            // An honest client meanwhile: every write and read succeeds, while the hostile uploads last.
            Random random = new Random(3);
            int honest = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!pool.isTerminated() && System.nanoTime() < deadline) {
                byte[] body = new byte[64 * 1024];
                random.nextBytes(body);
                String key = "honest-" + honest++;
                s3.putObject(p -> p.bucket("hostile").key(key), RequestBody.fromBytes(body));
                assertArrayEquals(body, s3.getObjectAsBytes(g -> g.bucket("hostile").key(key)).asByteArray());
            }
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS), "the hostile uploads ended");
            List<String> seen = new ArrayList<>();
            for (Future<String> f : outcomes) {
                seen.add(f.get());
            }
            for (String outcome : seen) {
                assertTrue(outcome.equals("403") || outcome.equals("503") || outcome.equals("reset"), () -> "outcome " + outcome
                        + " in " + seen + "; the node's log says:\n" + problems(node));
            }
            assertTrue(seen.contains("403"), "some chunks were read whole and refused on their signature: " + seen);
            assertTrue(honest > 0, "the honest client was served");
            assertTrue(node.isAlive(), "the node is still up");
            assertFalse(Files.readString(node.log()).contains("OutOfMemoryError"), "no OutOfMemoryError in " + node.log());
            assertFalse(s3.listObjectsV2(l -> l.bucket("hostile").prefix("hostile-")).hasContents(), "nothing hostile stored");
            System.out.printf("hostile uploads: %s; honest writes meanwhile: %d%n", Collections.frequency(seen, "403") + " refused on "
                    + "signature, " + Collections.frequency(seen, "503") + " told to slow down", honest);
        }
    }

    private static String problems(Node node) {
        try {
            return String.join("\n", Files.readAllLines(node.log()).stream()
                    .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception") || l.contains("Error")).limit(40).toList());
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** One upload with a 16 MiB chunk and a wrong chunk signature; the status it got, or "reset". */
    private static String hostileUpload(Node node, String key) throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + node.s3Port() + "/hostile/" + key);
        byte[] chunkHeader = (Integer.toHexString(CHUNK) + ";chunk-signature=" + "0".repeat(64) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] last = ("\r\n0;chunk-signature=" + "0".repeat(64) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long length = chunkHeader.length + (long) CHUNK + last.length;
        Map<String, String> headers = RequestSigner.sign("PUT", uri, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                Map.of("x-amz-decoded-content-length", Integer.toString(CHUNK), "content-encoding", "aws-chunked"),
                Node.ACCESS_KEY, Node.SECRET_KEY, "us-east-1", Instant.now());
        StringBuilder head = new StringBuilder("PUT " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.s3Port()), 5000);
            s.setSoTimeout(90_000);
            try {
                OutputStream out = s.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(chunkHeader);
                byte[] piece = new byte[64 * 1024];
                for (int sent = 0; sent < CHUNK; sent += piece.length) {
                    out.write(piece);
                }
                out.write(last);
                out.flush();
            } catch (IOException refusedMidway) {
                // The node may answer (503) and close before the body is all sent: read what it said.
            }
            InputStream in = s.getInputStream();
            byte[] status = in.readNBytes(12);
            String line = new String(status, StandardCharsets.ISO_8859_1);
            return line.startsWith("HTTP/1.1 ") ? line.substring(9, 12) : "reset";
        } catch (IOException e) {
            return "reset";
        }
    }
}
