package org.blockcloset.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.blockcloset.ledger.EventLog;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectSummary;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.view.ListPage;
import org.blockcloset.ledger.view.Replay;
import org.blockcloset.ledger.view.Views;

/**
 * The pages that read the store and its history: the object browser (live, or replayed as of a past
 * time, and what changed between two times), an object's details and whole history, and the audit
 * timeline. Replays fold the log from its start with the node's own fold code ({@link Replay}).
 */
final class StorePages {
    static final int PAGE = 50;
    /** Events a timeline page reads at most before it offers to go on. */
    static final long SCAN_BUDGET = 20_000;
    /** Keys a diff compares at most. */
    static final int DIFF_LIMIT = 100_000;
    private final ConsoleBackend backend;
    private final Pages pages;

    private EventLog eventLog;

    StorePages(ConsoleBackend backend, Pages pages) {
        this.backend = backend;
        this.pages = pages;
    }

    /**
     * One reader of the log for every page (a Kafka consumer costs about half a second to open);
     * its reads are serialised. Closed with the console.
     */
    private synchronized EventLog eventLog() {
        if (eventLog == null) {
            eventLog = backend.ledger().openEventLog();
        }
        return eventLog;
    }

    synchronized void close() {
        if (eventLog != null) {
            eventLog.close();
            eventLog = null;
        }
    }

    // ---- object browser ------------------------------------------------------------------------

    void browse(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        String bucket = param(req, "bucket");
        String prefix = Optional.ofNullable(param(req, "prefix")).orElse("");
        Instant asOf = time(param(req, "asOf"));
        scope.put("title", "Bucket " + bucket);
        scope.put("bucket", bucket);
        scope.put("prefix", prefix);
        scope.put("live", asOf == null);
        Views views;
        if (asOf != null) {
            EventLog log = eventLog();
            long started = System.nanoTime();
            Replay replay = replayTo(log, log.offsetAt(asOf));
            views = replay.views();
            scope.put("asOf", Bytes.when(asOf));
            scope.put("asOfValue", param(req, "asOf"));
            scope.put("replayed", replay.events());
            scope.put("replayMillis", (System.nanoTime() - started) / 1_000_000);
        } else {
            backend.readBarrier();
            views = backend.ledger().views();
        }
        if (views.bucket(bucket).isEmpty()) {
            scope.put("message", asOf == null ? "There is no bucket " + bucket + "."
                    : "Bucket " + bucket + " did not exist at " + Bytes.when(asOf) + ".");
            scope.put("missing", true);
        } else {
            ListPage page = views.list(bucket, prefix, "/", param(req, "after"), 200);
            scope.put("folders", page.commonPrefixes().stream().map(p -> Map.of("name", p.substring(prefix.length()),
                    "link", browseLink(bucket, p, param(req, "asOf")))).toList());
            scope.put("objects", page.contents().stream().map(o -> objectRow(o, asOf == null)).toList());
            if (page.truncated()) {
                scope.put("more", browseLink(bucket, prefix, param(req, "asOf")) + "&after=" + enc(page.next()));
            }
            scope.put("empty", page.contents().isEmpty() && page.commonPrefixes().isEmpty());
        }
        scope.put("crumbs", crumbs(bucket, prefix, param(req, "asOf")));
        pages.render(resp, 200, "browse", scope);
    }

    private static Map<String, Object> objectRow(ObjectSummary o, boolean live) {
        Map<String, Object> m = new HashMap<>();
        int slash = o.key().lastIndexOf('/', o.key().length() - 2);
        m.put("name", o.key().substring(slash + 1));
        m.put("key", o.key());
        m.put("size", Bytes.human(o.size()));
        m.put("modified", Bytes.when(o.lastModified()));
        m.put("etag", o.etag());
        if (live) {
            m.put("link", "/console/object?bucket=" + enc(o.bucket()) + "&key=" + enc(o.key()));
        }
        return m;
    }

    private static List<Map<String, Object>> crumbs(String bucket, String prefix, String asOf) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(Map.of("name", bucket, "link", browseLink(bucket, "", asOf)));
        int at = 0;
        while (at < prefix.length()) {
            int slash = prefix.indexOf('/', at);
            int end = slash < 0 ? prefix.length() : slash + 1;
            out.add(Map.of("name", prefix.substring(at, end), "link", browseLink(bucket, prefix.substring(0, end), asOf)));
            at = end;
        }
        return out;
    }

    private static String browseLink(String bucket, String prefix, String asOf) {
        return "/console/browse?bucket=" + enc(bucket) + "&prefix=" + enc(prefix) + (asOf == null ? "" : "&asOf=" + enc(asOf));
    }

    /** What changed in a bucket between two times: keys added, removed and changed (another ETag or size). */
    void diff(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        String bucket = param(req, "bucket");
        Instant from = time(param(req, "from"));
        Instant to = time(param(req, "to"));
        scope.put("title", "Changes in " + bucket);
        scope.put("bucket", bucket);
        if (from == null || to == null || !from.isBefore(to)) {
            scope.put("error", "Give two times, the first before the second.");
            pages.render(resp, 400, "diff", scope);
            return;
        }
        EventLog log = eventLog();
        long fromOffset = log.offsetAt(from);
        long toOffset = log.offsetAt(to);
        Replay replay = replayTo(log, fromOffset);
        Map<String, String> before = snapshot(replay.views(), bucket);
        log.forEach(fromOffset, toOffset, e -> replay.apply(e.event(), e.offset(), e.appended()));
        Map<String, String> after = snapshot(replay.views(), bucket);
        List<Map<String, Object>> changes = new ArrayList<>();
        TreeMap<String, Boolean> keys = new TreeMap<>();
        before.keySet().forEach(k -> keys.put(k, true));
        after.keySet().forEach(k -> keys.put(k, true));
        for (String k : keys.keySet()) {
            String b = before.get(k);
            String a = after.get(k);
            String what = b == null ? "added" : a == null ? "deleted" : b.equals(a) ? null : "changed";
            if (what != null) {
                changes.add(Map.of("key", k, "what", what, "before", b == null ? "" : b, "after", a == null ? "" : a));
            }
        }
        scope.put("from", Bytes.when(from));
        scope.put("to", Bytes.when(to));
        scope.put("changes", changes);
        scope.put("none", changes.isEmpty());
        scope.put("events", toOffset - fromOffset);
        pages.render(resp, 200, "diff", scope);
    }

    private static Map<String, String> snapshot(Views views, String bucket) {
        Map<String, String> out = new HashMap<>();
        if (views.bucket(bucket).isEmpty()) {
            return out;
        }
        String after = null;
        do {
            ListPage page = views.list(bucket, "", null, after, 1000);
            page.contents().forEach(o -> out.put(o.key(), Bytes.human(o.size()) + " " + o.etag()));
            after = page.truncated() ? page.next() : null;
        } while (after != null && out.size() < DIFF_LIMIT);
        return out;
    }

    private static Replay replayTo(EventLog log, long end) {
        Replay replay = new Replay();
        log.forEach(0, end, e -> replay.apply(e.event(), e.offset(), e.appended()));
        return replay;
    }

    /** The cluster's membership and layout as of a past time, replayed from the log. */
    void membership(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        Instant at = time(param(req, "at"));
        scope.put("title", "Membership as of " + (at == null ? "?" : Bytes.when(at)));
        if (at == null) {
            scope.put("error", "Give a time.");
            pages.render(resp, 400, "membership", scope);
            return;
        }
        EventLog log = eventLog();
        long started = System.nanoTime();
        Replay replay = replayTo(log, log.offsetAt(at));
        Views v = replay.views();
        scope.put("replayed", replay.events());
        scope.put("replayMillis", (System.nanoTime() - started) / 1_000_000);
        scope.put("layoutVersion", v.layout().version());
        scope.put("copies", v.layout().replication());
        scope.put("usable", Bytes.human(v.layout().usableBytes()));
        scope.put("members", v.nodes().stream().map(n -> {
            Map<String, Object> m = new HashMap<>();
            m.put("id", n.nodeId());
            m.put("address", n.address().host());
            m.put("zone", n.zone());
            m.put("roles", String.valueOf(n.roles()));
            m.put("capacity", Bytes.human(n.capacity()));
            m.put("joined", Bytes.when(n.joined()));
            m.put("state", n.failed() != null ? "failed since " + Bytes.when(n.failed())
                    : n.draining() != null ? "draining" : "member");
            return m;
        }).toList());
        pages.render(resp, 200, "membership", scope);
    }

    // ---- one object ----------------------------------------------------------------------------

    void object(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        String bucket = param(req, "bucket");
        String key = param(req, "key");
        scope.put("title", key);
        scope.put("bucket", bucket);
        scope.put("key", key);
        scope.put("crumbs", crumbs(bucket, key.contains("/") ? key.substring(0, key.lastIndexOf('/') + 1) : "", null));
        backend.readBarrier();
        Optional<ObjectVersion> found = backend.ledger().views().object(bucket, key);
        if (found.isPresent()) {
            ObjectVersion o = found.get();
            scope.put("object", true);
            scope.put("size", Bytes.human(o.size()) + " (" + o.size() + " bytes)");
            scope.put("etag", o.etag());
            scope.put("modified", Bytes.when(o.lastModified()));
            scope.put("contentType", o.contentType());
            scope.put("versionId", o.versionId());
            scope.put("parts", o.partSizes() == null ? "single upload" : o.partSizes().size() + " parts");
            scope.put("checksums", o.checksums() == null ? List.of() : o.checksums().entrySet().stream()
                    .map(e -> Map.of("name", e.getKey(), "value", e.getValue())).toList());
            List<Map<String, Object>> meta = new ArrayList<>();
            if (o.headers() != null) {
                o.headers().forEach((k, v) -> meta.add(Map.of("name", k, "value", v)));
            }
            if (o.userMetadata() != null) {
                o.userMetadata().forEach((k, v) -> meta.add(Map.of("name", "x-amz-meta-" + k, "value", v)));
            }
            if (o.tags() != null) {
                o.tags().forEach((k, v) -> meta.add(Map.of("name", "tag " + k, "value", v)));
            }
            scope.put("metadata", meta);
            List<BlockRef> blocks = o.blocks();
            List<Map<String, Object>> rows = new ArrayList<>();
            int copies = backend.copiesFor(bucket);
            for (int i = 0; i < blocks.size() && i < 64; i++) {
                BlockRef b = blocks.get(i);
                rows.add(Map.of("id", b.id().hex().substring(0, 16) + "…", "size", Bytes.human(b.size()),
                        "holders", backend.holders(b, copies)));
            }
            scope.put("blocks", rows);
            scope.put("blockCount", blocks.size());
            scope.put("blocksCut", blocks.size() > 64);
        }
        EventLog log = eventLog();
        EventLog.Page history = log.newestFirst(e -> {
            EventFacts f = EventFacts.of(e);
            return bucket.equals(f.bucket()) && key.equals(f.key());
        }, Long.MAX_VALUE, PAGE, SCAN_BUDGET * 5);
        scope.put("history", rows(history.entries()));
        scope.put("historyCut", history.next() >= 0);
        pages.render(resp, found.isPresent() ? 200 : 404, "object", scope);
    }

    /** {@code PUT /console/upload?bucket=&key=}: the browser's file, streamed into the store (never held whole here). */
    void upload(HttpServletRequest req, HttpServletResponse resp, String actor) throws IOException {
        resp.setContentType("text/plain; charset=utf-8");
        try {
            String etag = backend.putObject(actor, req.getRemoteAddr(), param(req, "bucket"), param(req, "key"),
                    req.getContentType(), req.getContentLengthLong(), req.getInputStream());
            resp.setStatus(201);
            resp.setHeader("ETag", etag);
            resp.getWriter().write("stored " + param(req, "key"));
        } catch (ConsoleBackend.Refused e) {
            resp.setStatus(e.status());
            resp.getWriter().write(e.getMessage());
        }
    }

    /** A download: a redirect to a short-lived presigned GET on this node's S3 endpoint, as an attachment. */
    void download(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String key = Optional.ofNullable(param(req, "key")).orElse("");
        String name = key.substring(key.lastIndexOf('/') + 1).replace("\"", "");
        try {
            resp.sendRedirect(backend.presignGet(req.getServerName(), param(req, "bucket"), key, java.time.Duration.ofMinutes(5),
                    Map.of("response-content-disposition", "attachment; filename=\"" + name + "\"")));
        } catch (Exception e) {
            resp.sendError(500, "no download link could be made: " + e.getMessage());
        }
    }

    /** A share link: a presigned GET that lasts as long as asked (at most 7 days, SigV4's limit). */
    void share(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        String bucket = param(req, "bucket");
        String key = param(req, "key");
        long hours;
        try {
            hours = Math.max(1, Math.min(7 * 24, Long.parseLong(Optional.ofNullable(param(req, "hours")).orElse("24"))));
        } catch (NumberFormatException e) {
            hours = 24;
        }
        scope.put("title", "Share " + key);
        scope.put("bucket", bucket);
        scope.put("key", key);
        try {
            scope.put("url", backend.presignGet(req.getServerName(), bucket, key, java.time.Duration.ofHours(hours), Map.of()));
            scope.put("expires", Bytes.when(Instant.now().plus(java.time.Duration.ofHours(hours))));
        } catch (Exception e) {
            scope.put("error", "No link could be made: " + e.getMessage());
        }
        pages.render(resp, 200, "share", scope);
    }

    void delete(HttpServletRequest req, HttpServletResponse resp, String actor, Map<String, Object> scope) throws IOException {
        String bucket = param(req, "bucket");
        String key = Optional.ofNullable(param(req, "key")).orElse("");
        try {
            backend.ledger().append(actor, java.util.UUID.randomUUID().toString(), req.getRemoteAddr(),
                    new org.blockcloset.ledger.event.ObjectDeleted(bucket, key));
        } catch (org.blockcloset.ledger.RejectedException e) {
            scope.put("title", "Not deleted");
            scope.put("message", key + " could not be deleted: " + e.rejection());
            pages.render(resp, 409, "message", scope);
            return;
        } catch (org.blockcloset.ledger.LedgerUnavailableException e) {
            scope.put("title", "Not deleted");
            scope.put("message", "The event log is unavailable; " + key + " was not deleted. Try again shortly.");
            pages.render(resp, 503, "message", scope);
            return;
        }
        resp.sendRedirect(browseLink(bucket, key.contains("/") ? key.substring(0, key.lastIndexOf('/') + 1) : "", null));
    }

    // ---- audit timeline ------------------------------------------------------------------------

    void audit(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        scope.put("title", "Audit timeline");
        String type = param(req, "type");
        String bucket = param(req, "bucket");
        String prefix = param(req, "prefix");
        String node = param(req, "node");
        String actor = param(req, "actor");
        Instant from = time(param(req, "from"));
        Instant to = time(param(req, "to"));
        Predicate<LoggedEvent> filter = e -> {
            EventFacts f = EventFacts.of(e);
            return (type == null || type.equals(f.type())) && (bucket == null || bucket.equals(f.bucket()))
                    && (prefix == null || (f.key() != null && f.key().startsWith(prefix)))
                    && (node == null || node.equals(f.node())) && (actor == null || actor.equals(e.actor()))
                    && (from == null || !e.time().isBefore(from)) && (to == null || e.time().isBefore(to));
        };
        Map<String, String> filters = new LinkedHashMap<>();
        for (String f : List.of("type", "bucket", "prefix", "node", "actor", "from", "to")) {
            if (param(req, f) != null) {
                filters.put(f, param(req, f));
                scope.put("f_" + f, param(req, f));
            }
        }
        scope.put("types", EventFacts.TYPES.stream().map(t -> Map.of("name", t, "selected", t.equals(type))).toList());
        try {
            EventLog log = eventLog();
            long before = Optional.ofNullable(param(req, "before")).map(Long::parseLong)
                    .orElse(to == null ? Long.MAX_VALUE : log.offsetAt(to));
            EventLog.Page page = log.newestFirst(filter, before, PAGE, SCAN_BUDGET);
            scope.put("events", rows(page.entries()));
            scope.put("none", page.entries().isEmpty());
            scope.put("scanned", page.scanned());
            if (page.next() >= 0 && (from == null || page.entries().isEmpty()
                    || page.entries().get(page.entries().size() - 1).event().time().isAfter(from))) {
                StringBuilder link = new StringBuilder("/console/audit?before=" + page.next());
                filters.forEach((k, v) -> link.append('&').append(k).append('=').append(enc(v)));
                scope.put("older", link.toString());
            }
        } catch (NumberFormatException e) {
            scope.put("error", "That page of the timeline does not exist.");
        }
        pages.render(resp, 200, "audit", scope);
    }

    private static List<Map<String, Object>> rows(List<EventLog.Entry> entries) {
        return entries.stream().map(en -> {
            LoggedEvent e = en.event();
            EventFacts f = EventFacts.of(e);
            Map<String, Object> m = new HashMap<>();
            m.put("offset", en.offset());
            m.put("time", Bytes.when(e.time()));
            m.put("exact", e.time().toString());
            m.put("type", f.type());
            m.put("actor", e.actor());
            m.put("source", e.source() == null ? "" : e.source());
            m.put("summary", f.summary());
            if (f.bucket() != null && f.key() != null) {
                m.put("link", "/console/object?bucket=" + enc(f.bucket()) + "&key=" + enc(f.key()));
            }
            return m;
        }).toList();
    }

    /** A time from a form ("2026-11-29T21:30" or with seconds, UTC, or an ISO instant); null when absent or unreadable. */
    static Instant time(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return s.endsWith("Z") ? Instant.parse(s) : LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String param(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        return v == null || v.isEmpty() ? null : v;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
