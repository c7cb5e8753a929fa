package org.blockcloset.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.InsufficientStorageException;
import org.blockcloset.storage.LeaseTable;
import org.blockcloset.storage.disk.DiskBlockStore;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The block API over real HTTP (Jetty on loopback) against a real block store in a temp dir. */
class BlockApiTest {
    private static final byte[] SECRET = "a cluster secret of enough bytes".getBytes(StandardCharsets.UTF_8);
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;
    private DiskBlockStore store;
    private LeaseTable leases;
    private Server server;
    private BlockClient client;
    private URI base;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-29T12:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @BeforeEach
    void start() throws Exception {
        store = DiskBlockStore.open(new DiskBlockStore.Config(dir.resolve("blocks"), 1 << 20, BLOCK));
        leases = new LeaseTable(store, clock);
        ClusterCredentials creds = new ClusterCredentials(SECRET);
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler();
        ctx.addServlet(new ServletHolder(new BlockApiServlet(store, leases, creds, clock)), "/*");
        server.setHandler(ctx);
        server.start();
        base = URI.create("http://127.0.0.1:" + c.getLocalPort());
        client = new BlockClient(base, "node-a", creds, HttpClient.newHttpClient(), Duration.ofSeconds(10), clock);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        store.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static BlockId idOf(byte[] b) throws Exception {
        return BlockId.ofDigest(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void putReadRangeHasListDelete() throws Exception {
        byte[] a = bytes(BLOCK, 1);
        byte[] b = bytes(1000, 2);
        long stored = client.put(idOf(a), a, 0, a.length, null);
        assertTrue(stored >= 0, "the node says how long it took itself (Server-Timing): " + stored);
        client.put(idOf(b), new ByteArrayInputStream(b), b.length, null);
        assertEquals(BLOCK, client.size(idOf(a)));
        assertTrue(client.has(idOf(b)));
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        assertEquals(BLOCK, client.read(idOf(a), 0, -1, whole));
        assertArrayEquals(a, whole.toByteArray());
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        client.read(idOf(a), 100, 199, part);
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 100, 200), part.toByteArray());

        List<BlockId> listed = new ArrayList<>();
        BlockClient.Listing page = client.list(null, 1);
        listed.add(page.blocks().get(0).id());
        page = client.list(page.next(), 1);
        listed.add(page.blocks().get(0).id());
        assertEquals(List.of(idOf(a), idOf(b)).stream().sorted().toList(), listed);
        assertTrue(client.list(page.next(), 1).blocks().isEmpty());

        BlockClient.Capacity cap = client.capacity();
        assertEquals(1 << 20, cap.capacity());
        assertEquals(BLOCK + 1000, cap.used());
        assertEquals(BLOCK, cap.maxBlockSize());

        // No member may delete another's block: the route is gone (the owning node's GC judges its own blocks).
        HttpResponse<Void> delete = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/blocks/" + idOf(b).hex()))
                .header("Authorization", new ClusterCredentials(SECRET).authorization("node-a", "DELETE",
                        "/v1/blocks/" + idOf(b).hex(), null, now.get())).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(405, delete.statusCode());
        assertTrue(client.has(idOf(b)), "a member's DELETE deletes nothing");
    }

    @Test
    void readsTheStoreTimeFromServerTiming() {
        assertEquals(2_500, BlockClient.storeMicros("store;dur=2.500"));
        assertEquals(1_000, BlockClient.storeMicros("cache;desc=x, store;desc=\"disk\";dur=1"));
        assertEquals(-1, BlockClient.storeMicros("cache;dur=3"));
        assertEquals(-1, BlockClient.storeMicros("store;dur=soon"));
        assertEquals(-1, BlockClient.storeMicros(""));
    }

    @Test
    void refusesBytesThatDoNotHashToTheId() throws Exception {
        byte[] a = bytes(5000, 3);
        BlockId other = idOf(bytes(5000, 4));
        BlockId real = idOf(a);
        RemoteBlockException e = assertThrows(RemoteBlockException.class, () -> client.put(other, a, 0, a.length, null));
        assertEquals(400, e.status());
        assertFalse(client.has(other));
        assertFalse(client.has(real), "nothing left behind");
        assertEquals(0, store.used());
    }

    @Test
    void oversizeAndFullAreRefused() throws Exception {
        byte[] big = bytes(BLOCK + 1, 5);
        BlockId bigId = idOf(big);
        assertEquals(413, assertThrows(RemoteBlockException.class, () -> client.put(bigId, big, 0, big.length, null)).status());
        for (int i = 0; i < 16; i++) {
            byte[] b = bytes(BLOCK, 100 + i);
            client.put(idOf(b), b, 0, b.length, null);
        }
        byte[] more = bytes(BLOCK, 99);
        BlockId moreId = idOf(more);
        assertThrows(InsufficientStorageException.class, () -> client.put(moreId, more, 0, more.length, null));
        assertEquals(1 << 20, store.used(), "the refused block took no space");
    }

    @Test
    void corruptBlockIsNeverServed() throws Exception {
        byte[] a = bytes(4096, 6);
        client.put(idOf(a), a, 0, a.length, null);
        try (var files = Files.walk(dir.resolve("blocks"))) {
            String name = idOf(a).hex();
            Path f = files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
            byte[] onDisk = Files.readAllBytes(f);
            onDisk[10] ^= 1;
            Files.write(f, onDisk);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BlockId corrupt = idOf(a);
        assertThrows(CorruptBlockException.class, () -> client.read(corrupt, 0, -1, out));
        assertEquals(0, out.size());
    }

    @Test
    void leasePinsUntilSettledAndExpiryReleases() throws Exception {
        byte[] a = bytes(2000, 7);
        byte[] b = bytes(3000, 8);
        String lease = client.openLease(Duration.ofSeconds(30));
        client.put(idOf(a), a, 0, a.length, lease);
        assertFalse(store.deleteIfUntouchedSince(idOf(a), Instant.now().plus(Duration.ofDays(1))), "pinned by the lease");
        assertTrue(client.settleLease(lease, false), "discard: the caller's write failed");
        assertFalse(client.has(idOf(a)), "discarded with its lease");

        client.put(idOf(b), b, 0, b.length, null);
        String second = client.openLease(Duration.ofSeconds(30));
        assertTrue(client.retain(second, List.of(idOf(b))));
        assertFalse(store.deleteIfUntouchedSince(idOf(b), Instant.now().plus(Duration.ofDays(1))), "pinned by the lease");
        now.set(now.get().plusSeconds(20));
        assertTrue(client.renewLease(second));
        now.set(now.get().plusSeconds(29));
        assertEquals(0, leases.expire(), "renewed: still live");
        now.set(now.get().plusSeconds(2));
        assertEquals(1, leases.expire(), "its caller died: the lease expires");
        assertFalse(client.renewLease(second));
        assertFalse(client.retain(second, List.of(idOf(b))));
        assertTrue(client.has(idOf(b)), "expiry keeps the blocks for GC to judge");
        assertTrue(store.deleteIfUntouchedSince(idOf(b), Instant.now().plus(Duration.ofDays(1))), "no pin left behind");
        String third = client.openLease(Duration.ofSeconds(5));
        BlockId gone = idOf(b);
        assertThrows(BlockNotFoundException.class, () -> client.retain(third, List.of(gone)));
    }

    @Test
    void refusesCallersWithoutTheClusterCredentials() throws Exception {
        byte[] a = bytes(100, 9);
        client.put(idOf(a), a, 0, a.length, null);
        HttpClient http = HttpClient.newHttpClient();
        URI blockUri = base.resolve("/v1/blocks/" + idOf(a).hex());
        assertEquals(401, http.send(HttpRequest.newBuilder(blockUri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(blockUri).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        ClusterCredentials wrong = new ClusterCredentials("another cluster's secret bytes!!".getBytes(StandardCharsets.UTF_8));
        BlockClient stranger = new BlockClient(base, "node-x", wrong, http, Duration.ofSeconds(5), clock);
        BlockId target = idOf(a);
        assertEquals(401, assertThrows(RemoteBlockException.class, () -> stranger.read(target, 0, -1, new ByteArrayOutputStream())).status());

        // A captured, correctly signed request replayed later than the allowed skew.
        ClusterCredentials creds = new ClusterCredentials(SECRET);
        String old = creds.authorization("node-a", "DELETE", blockUri.getRawPath(), null,
                now.get().minus(ClusterCredentials.MAX_SKEW).minusSeconds(1));
        assertEquals(401, http.send(HttpRequest.newBuilder(blockUri).header("Authorization", old).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        // A signature for one path does not open another.
        String forGet = creds.authorization("node-a", "GET", blockUri.getRawPath(), null, now.get());
        assertEquals(401, http.send(HttpRequest.newBuilder(blockUri).header("Authorization", forGet).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertTrue(client.has(idOf(a)), "nothing a stranger sent took effect");
    }

    /**
     * A signed request whose raw path is not plain is refused, even by a member: the servlet checks on
     * its own, whatever Jetty in front of it lets through.
     */
    @Test
    void aPathThatIsNotPlainIsRefusedEvenSigned() throws Exception {
        for (String raw : List.of("/v1/blocks/../capacity", "/v1/./capacity", "/v1/%2e%2e/capacity", "/v1//capacity",
                "/v1/capacity;x", "/v1\\capacity")) {
            assertFalse(BlockApiServlet.plain(raw), raw);
        }
        assertTrue(BlockApiServlet.plain("/v1/capacity"));
        assertTrue(BlockApiServlet.plain("/v1/blocks/" + "a".repeat(64)));
        ClusterCredentials creds = new ClusterCredentials(SECRET);
        String raw = "/v1/blocks/../capacity";
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.getOutputStream().write(("GET " + raw + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                    + creds.authorization("node-a", "GET", raw, null, now.get()) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertFalse(answer.contains("\"capacity\""), answer);
        }
    }
}
