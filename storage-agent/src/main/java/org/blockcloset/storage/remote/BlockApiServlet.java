package org.blockcloset.storage.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.InsufficientStorageException;
import org.blockcloset.storage.LeaseTable;
import org.blockcloset.storage.SealedBlock;

/**
 * This node's block store, served to the other nodes of its cluster (ADR 0006). Every request must
 * carry the cluster's credentials ({@link ClusterCredentials}); anything else gets 401.
 *
 * <pre>
 * GET    /v1/blocks/{id}           the block (Range: bytes=a-b for part of it), hash verified before sending
 * HEAD   /v1/blocks/{id}           200 with its size, or 404
 * PUT    /v1/blocks/{id}?lease=L   stores the body under {id}; refused unless it hashes to {id}; durable on 201;
 *                                  opens lease L (a caller-chosen UUID, &ttl=SECONDS) if it is not open yet
 * (no route deletes a block: only the node's own GC and repair do, each judging from its own views,
 *  so no member deletes another's blocks directly)
 * GET    /v1/blocks?after=&limit=  ids and sizes in id order, paged
 * GET    /v1/capacity              capacity, used, free, block size
 * POST   /v1/leases?ttl=SECONDS    opens a lease; blocks PUT or retained under it stay pinned until it ends
 * PUT    /v1/leases/{L}            renews it
 * POST   /v1/leases/{L}/retain     pins existing blocks (JSON array of ids) under it (opening L if needed)
 * DELETE /v1/leases/{L}?keep=BOOL  ends it: keep releases the pins, otherwise created blocks are discarded
 * </pre>
 *
 * A block is never buffered beyond its own size per request: a PUT streams into the store's writer,
 * a GET reads the block into one block-sized buffer to verify it before the first byte goes out.
 */
public final class BlockApiServlet extends HttpServlet {
    private static final Pattern BLOCK = Pattern.compile("/v1/blocks/([0-9a-f]{64})");
    private static final Pattern LEASE = Pattern.compile("/v1/leases/([0-9a-f-]{36})(/retain)?");
    private static final Pattern LEASE_ID = Pattern.compile("[0-9a-f-]{36}");
    private static final long DEFAULT_LEASE_SECONDS = 600;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,10})-(\\d{1,10})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LIST = 10_000;
    private static final int MAX_RETAIN_BODY = 1 << 20;

    /** The Server-Timing metric a block write answers with: the node's own time for it. */
    public static final String STORE_TIMING = "store";

    private final BlockStore store;
    private final LeaseTable leases;
    private final ClusterCredentials credentials;
    private final Clock clock;

    public BlockApiServlet(BlockStore store, LeaseTable leases, ClusterCredentials credentials, Clock clock) {
        this.store = store;
        this.leases = leases;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** Whether a raw path is plain: block ids and lease ids never need a dot segment or an escape. */
    static boolean plain(String raw) {
        if (raw == null || !raw.startsWith("/") || raw.contains("//") || raw.indexOf('%') >= 0 || raw.indexOf(';') >= 0
                || raw.indexOf('\\') >= 0) {
            return false;
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The most of a refused request's body read before answering it. */
    private static final long DRAIN_AT_MOST = 64L << 10;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // The raw path: it is what the caller signed, and the routes match whole patterns of it. A
        // path that is not plain (a dot segment, an encoded or doubled separator) is refused before
        // anything else: no route of the block API has one, and Jetty would route it elsewhere than
        // it reads. Nothing passes without credentials.
        String path = req.getRequestURI();
        if (!plain(path)) {
            error(resp, 400, "the path must be plain: no dot segment, '%', ';', '\\' or '//'");
            return;
        }
        String caller = credentials.verify(req.getHeader("Authorization"), req.getMethod(), path, req.getQueryString(),
                clock.instant());
        if (caller == null) {
            // A small refused body is read before answering (a connection closed with its body unread
            // loses the answer to the reset under TLS); a larger one is not: a stranger must not hold
            // the port's threads. The answer then says the connection closes.
            long declared = req.getContentLengthLong();
            if (declared > 0 && declared <= DRAIN_AT_MOST) {
                try {
                    req.getInputStream().skipNBytes(declared);
                } catch (IOException slowOrGone) {
                    resp.setHeader("Connection", "close");
                }
            } else if (declared != 0) {
                resp.setHeader("Connection", "close");
            }
            error(resp, 401, "cluster credentials required");
            return;
        }
        try {
            route(req, resp, path);
        } catch (BlockNotFoundException e) {
            json(resp, 404, Map.of("error", String.valueOf(e.getMessage()), "missing", e.id().hex()));
        } catch (CorruptBlockException e) {
            error(resp, 422, e.getMessage()); // the caller reads another replica
        } catch (InsufficientStorageException e) {
            error(resp, 507, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(resp, 400, e.getMessage());
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse resp, String path) throws IOException {
        String method = req.getMethod();
        Matcher block = BLOCK.matcher(path);
        Matcher lease = LEASE.matcher(path);
        if (block.matches()) {
            BlockId id = new BlockId(block.group(1));
            switch (method) {
                case "GET" -> get(id, req, resp);
                case "HEAD" -> head(id, resp);
                case "PUT" -> put(id, req, resp);
                default -> error(resp, 405, method + " not allowed here");
            }
        } else if (path.equals("/v1/blocks") && method.equals("GET")) {
            list(req, resp);
        } else if (path.equals("/v1/capacity") && method.equals("GET")) {
            json(resp, 200, Map.of("capacity", store.capacity(), "used", store.used(), "free", store.free(),
                    "maxBlockSize", store.maxBlockSize(), "leases", leases.size()));
        } else if (path.equals("/v1/leases") && method.equals("POST")) {
            long ttl = longParam(req, "ttl", 60);
            if (ttl < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 second");
            }
            String id = leases.open(Duration.ofSeconds(ttl));
            json(resp, 201, Map.of("lease", id, "expires", leases.expiry(id).map(Object::toString).orElse("")));
        } else if (lease.matches()) {
            String id = lease.group(1);
            boolean retain = lease.group(2) != null;
            if (retain && method.equals("POST")) {
                List<BlockId> ids = new ArrayList<>();
                for (String hex : JSON.readValue(boundedBody(req, MAX_RETAIN_BODY), String[].class)) {
                    ids.add(new BlockId(hex));
                }
                gone(resp, leases.openOrRenew(id, Duration.ofSeconds(longParam(req, "ttl", DEFAULT_LEASE_SECONDS)))
                        && leases.retain(id, ids));
            } else if (!retain && method.equals("PUT")) {
                gone(resp, leases.renew(id));
            } else if (!retain && method.equals("DELETE")) {
                gone(resp, leases.settle(id, !"false".equals(req.getParameter("keep"))));
            } else {
                error(resp, 405, method + " not allowed here");
            }
        } else {
            error(resp, 404, "no such resource: " + path);
        }
    }

    private void get(BlockId id, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<SealedBlock> pinned = store.retain(List.of(id));
        try {
            long size = store.size(id);
            if (size < 0) {
                throw new BlockNotFoundException(id);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            store.read(id, buf);
            int first = 0;
            int last = buf.limit() - 1;
            String range = req.getHeader("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range.trim());
                if (!m.matches() || Long.parseLong(m.group(1)) > Long.parseLong(m.group(2))
                        || Long.parseLong(m.group(1)) >= buf.limit()) {
                    resp.setHeader("Content-Range", "bytes */" + buf.limit());
                    error(resp, 416, "unsatisfiable range " + range + " of a " + buf.limit() + "-byte block");
                    return;
                }
                first = Integer.parseInt(m.group(1));
                last = (int) Math.min(last, Long.parseLong(m.group(2)));
                resp.setStatus(206);
                resp.setHeader("Content-Range", "bytes " + first + "-" + last + "/" + buf.limit());
            } else {
                resp.setStatus(200);
            }
            resp.setContentType("application/octet-stream");
            resp.setContentLengthLong(last - first + 1L);
            resp.getOutputStream().write(buf.array(), buf.arrayOffset() + first, last - first + 1);
        } finally {
            store.release(pinned);
        }
    }

    private void head(BlockId id, HttpServletResponse resp) {
        long size = store.size(id);
        resp.setStatus(size < 0 ? 404 : 200);
        resp.setContentLengthLong(Math.max(0, size));
    }

    private void put(BlockId id, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long started = System.nanoTime();
        String lease = req.getParameter("lease");
        long length = req.getContentLengthLong();
        if (length < 0) {
            error(resp, 411, "Content-Length required");
            return;
        }
        if (length > store.maxBlockSize()) {
            error(resp, 413, "a block holds at most " + store.maxBlockSize() + " bytes; this one has " + length);
            return;
        }
        if (lease != null && !(LEASE_ID.matcher(lease).matches() && leases.openOrRenew(lease,
                Duration.ofSeconds(longParam(req, "ttl", DEFAULT_LEASE_SECONDS))))) {
            error(resp, 410, "lease " + lease + " ended or expired");
            return;
        }
        SealedBlock sealed;
        try (BlockWriter w = store.newWriter(); InputStream in = req.getInputStream()) {
            byte[] buf = new byte[(int) Math.min(64 << 10, Math.max(1, length))];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > length) {
                    break;
                }
                w.write(buf, 0, n);
            }
            if (total != length) {
                error(resp, 400, "the body had " + total + " bytes, Content-Length said " + length);
                return;
            }
            sealed = w.seal();
        }
        if (!sealed.id().equals(id)) {
            store.discard(List.of(sealed));
            error(resp, 400, "the body hashes to " + sealed.id() + ", not " + id);
            return;
        }
        try {
            store.awaitDurable(List.of(sealed));
        } catch (IOException | RuntimeException e) {
            store.discard(List.of(sealed));
            throw e;
        }
        if (lease == null || !leases.adoptCreated(lease, sealed)) {
            // Without a lease, or when it ended meanwhile, the garbage collector's grace protects the block.
            store.release(List.of(sealed));
        }
        // The caller's slow-request log separates this node's own time (body read, hashed, stored,
        // fsync'd) from the round trip's: a standard Server-Timing header, in milliseconds.
        resp.setHeader("Server-Timing", String.format(java.util.Locale.ROOT, "%s;dur=%.3f", STORE_TIMING,
                (System.nanoTime() - started) / 1e6));
        json(resp, sealed.created() ? 201 : 200, Map.of("id", id.hex(), "size", sealed.size(), "created", sealed.created()));
    }

    private void list(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String after = req.getParameter("after");
        int limit = (int) Math.min(MAX_LIST, longParam(req, "limit", 1000));
        List<Map<String, Object>> out = new ArrayList<>();
        String next = null;
        // The store lists in no particular order: page by id over a sorted scan of this page's window.
        java.util.TreeMap<BlockId, Long> window = new java.util.TreeMap<>();
        try (Stream<BlockInfo> all = store.list()) {
            for (Iterator<BlockInfo> it = all.iterator(); it.hasNext(); ) {
                BlockInfo b = it.next();
                if (after != null && b.id().hex().compareTo(after) <= 0) {
                    continue;
                }
                window.put(b.id(), b.size());
                if (window.size() > limit) {
                    window.pollLastEntry();
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        window.forEach((id, size) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id.hex());
            m.put("size", size);
            out.add(m);
        });
        if (window.size() == limit) {
            next = window.lastKey().hex();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("blocks", out);
        body.put("next", next);
        json(resp, 200, body);
    }

    private static byte[] boundedBody(HttpServletRequest req, int max) throws IOException {
        byte[] body = req.getInputStream().readNBytes(max + 1);
        if (body.length > max) {
            throw new IllegalArgumentException("request body larger than " + max + " bytes");
        }
        return body;
    }

    private static long longParam(HttpServletRequest req, String name, long dflt) {
        String v = req.getParameter(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + v);
        }
    }

    private static void gone(HttpServletResponse resp, boolean ok) throws IOException {
        if (ok) {
            json(resp, 200, Map.of("ok", true));
        } else {
            error(resp, 410, "lease unknown or expired");
        }
    }

    private static void error(HttpServletResponse resp, int status, String message) throws IOException {
        json(resp, status, Map.of("error", message == null ? "" : message));
    }

    private static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
