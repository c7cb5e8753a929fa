package org.blockcloset.storage.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.InsufficientStorageException;

/**
 * Calls another node's block API ({@link BlockApiServlet}), signing every request with the
 * cluster's credentials. Bodies stream both ways; nothing here buffers a block.
 */
public final class BlockClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Beyond the request timeout, the time a whole block may take to arrive. */
    private static final Duration BODY_ALLOWANCE = Duration.ofSeconds(8);

    /** A node's space as it reports it. */
    public record Capacity(long capacity, long used, long free, int maxBlockSize) {
    }

    /** One page of a node's block list; {@code next} is null on the last page. */
    public record Listing(List<Entry> blocks, BlockId next) {
        public record Entry(BlockId id, long size) {
        }
    }

    private final URI base;
    private final String self;
    private final ClusterCredentials credentials;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param base    the other node's cluster endpoint, e.g. {@code https://127.0.0.2:9002}
     * @param self    this node's id, named in every request's signature
     * @param timeout per request, from sending to the first response byte
     */
    public BlockClient(URI base, String self, ClusterCredentials credentials, HttpClient http, Duration timeout, Clock clock) {
        this.base = base;
        this.self = self;
        this.credentials = credentials;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    public URI base() {
        return base;
    }

    /**
     * Stores a block under {@code id}; the node refuses bytes that do not hash to it. Durable on
     * return. Returns the node's own time for it in microseconds (its Server-Timing), or -1.
     */
    public long put(BlockId id, byte[] bytes, int off, int len, String lease) throws IOException {
        HttpResponse<byte[]> r = checked(request("PUT", "/v1/blocks/" + id.hex(), lease == null ? null : "lease=" + lease)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes, off, len)), id);
        return storeMicros(r.headers().firstValue("Server-Timing").orElse(""));
    }

    /** The {@code store;dur=<ms>} entry of a Server-Timing header, in microseconds; -1 if absent or malformed. */
    static long storeMicros(String serverTiming) {
        for (String metric : serverTiming.split(",")) {
            String[] parts = metric.trim().split(";");
            if (!parts[0].trim().equals(BlockApiServlet.STORE_TIMING)) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("dur=")) {
                    try {
                        return Math.round(Double.parseDouble(p.substring(4)) * 1000);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /** {@link #put(BlockId, byte[], int, int, String)} from a stream of exactly {@code size} bytes (repair copies). */
    public void put(BlockId id, InputStream bytes, long size, String lease) throws IOException {
        send(request("PUT", "/v1/blocks/" + id.hex(), lease == null ? null : "lease=" + lease)
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> bytes), size)), id);
    }

    /**
     * Streams bytes {@code first..last} of a block (the whole block when {@code last < 0}) to
     * {@code out}. The node verified the block's hash before sending; returns the bytes written.
     */
    public long read(BlockId id, long first, long last, OutputStream out) throws IOException {
        HttpRequest.Builder b = request("GET", "/v1/blocks/" + id.hex(), null).GET();
        if (first > 0 || last >= 0) {
            b.header("Range", "bytes=" + first + "-" + (last < 0 ? Integer.MAX_VALUE : last));
        }
        // The whole answer (at most one block) within a deadline: a replica that stalls mid-body must
        // not hold the reader, which then asks the next one.
        HttpResponse<byte[]> r;
        try {
            r = http.sendAsync(b.build(), BoundedBody.upTo(BoundedBody.MAX_BLOCK))
                    .get(timeout.toMillis() + BODY_ALLOWANCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new java.net.http.HttpTimeoutException(base + " did not send block " + id + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted reading from " + base);
        }
        if (r.statusCode() != 200 && r.statusCode() != 206) {
            throw failure(r.statusCode(), new String(r.body(), 0, Math.min(4096, r.body().length), StandardCharsets.UTF_8), id);
        }
        out.write(r.body());
        return r.body().length;
    }

    /** The block's size on that node, or -1 if it does not hold it. */
    public long size(BlockId id) throws IOException {
        HttpResponse<Void> r = exchange(request("HEAD", "/v1/blocks/" + id.hex(), null)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 404) {
            return -1;
        }
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), "", id);
        }
        return r.headers().firstValueAsLong("Content-Length").orElse(-1);
    }

    public boolean has(BlockId id) throws IOException {
        return size(id) >= 0;
    }

    public Listing list(BlockId after, int limit) throws IOException {
        JsonNode n = send(request("GET", "/v1/blocks", "limit=" + limit + (after == null ? "" : "&after=" + after.hex())).GET(), null);
        List<Listing.Entry> out = new ArrayList<>();
        n.path("blocks").forEach(e -> out.add(new Listing.Entry(new BlockId(e.path("id").asText()), e.path("size").asLong())));
        JsonNode next = n.path("next");
        return new Listing(out, next.isTextual() ? new BlockId(next.asText()) : null);
    }

    public Capacity capacity() throws IOException {
        JsonNode n = send(request("GET", "/v1/capacity", null).GET(), null);
        return new Capacity(n.path("capacity").asLong(), n.path("used").asLong(), n.path("free").asLong(),
                n.path("maxBlockSize").asInt());
    }

    /** Opens a lease on that node: blocks put or retained under it stay pinned until it is settled or expires. */
    public String openLease(Duration ttl) throws IOException {
        return send(request("POST", "/v1/leases", "ttl=" + Math.max(1, ttl.toSeconds()))
                .POST(HttpRequest.BodyPublishers.noBody()), null).path("lease").asText();
    }

    /** False when the lease expired (its pins are gone). */
    public boolean renewLease(String lease) throws IOException {
        return leaseCall(request("PUT", "/v1/leases/" + lease, null).PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** Pins existing blocks under the lease. False when the lease expired. */
    public boolean retain(String lease, Collection<BlockId> ids) throws IOException {
        byte[] body = JSON.writeValueAsBytes(ids.stream().map(BlockId::hex).toList());
        return leaseCall(request("POST", "/v1/leases/" + lease + "/retain", null)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Ends a lease: {@code keep} leaves the blocks for GC to judge, otherwise the ones it created are dropped. */
    public boolean settleLease(String lease, boolean keep) throws IOException {
        return leaseCall(request("DELETE", "/v1/leases/" + lease, "keep=" + keep).DELETE());
    }

    private boolean leaseCall(HttpRequest.Builder b) throws IOException {
        HttpResponse<byte[]> r = exchange(b, BoundedBody.upTo(BoundedBody.MAX_JSON));
        if (r.statusCode() == 410) {
            return false;
        }
        if (r.statusCode() / 100 != 2) {
            throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), null);
        }
        return true;
    }

    private HttpRequest.Builder request(String method, String path, String query) {
        URI uri = base.resolve(path + (query == null ? "" : "?" + query));
        return HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", credentials.authorization(self, method, uri.getRawPath(), uri.getRawQuery(), clock.instant()));
    }

    private JsonNode send(HttpRequest.Builder b, BlockId id) throws IOException {
        HttpResponse<byte[]> r = checked(b, id);
        return r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** The answer, if it is a success; the node's refusal as an exception otherwise. */
    private HttpResponse<byte[]> checked(HttpRequest.Builder b, BlockId id) throws IOException {
        HttpResponse<byte[]> r = exchange(b, BoundedBody.upTo(BoundedBody.MAX_JSON));
        if (r.statusCode() / 100 != 2) {
            throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), id);
        }
        return r;
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(b.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted calling " + base);
        }
    }

    /** The block a 404 names (the block API says which one), else the one asked for. */
    private static BlockId missing(String body, BlockId asked) {
        try {
            JsonNode m = JSON.readTree(body).path("missing");
            return m.isTextual() ? new BlockId(m.asText()) : asked;
        } catch (IOException | RuntimeException e) {
            return asked;
        }
    }

    private IOException failure(int status, String body, BlockId id) {
        String detail = base + " answered " + status + ": " + body;
        return switch (status) {
            case 404 -> missing(body, id) == null ? new RemoteBlockException(status, detail) : new BlockNotFoundException(missing(body, id));
            case 422 -> new CorruptBlockException(id, detail);
            case 507 -> new InsufficientStorageException(-1, -1);
            default -> new RemoteBlockException(status, detail);
        };
    }
}
