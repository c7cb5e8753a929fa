package org.blockcloset.admin;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.CyclicBufferAppender;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.codahale.metrics.json.MetricsModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.LoggerFactory;

/**
 * Diagnostics: health checks that say what is wrong and what to do, the slow-request log with
 * per-stage timings, the live tail of requests, and a diagnostic bundle (a zip for a bug report:
 * settings without secrets, recent log lines, metrics, health, the cluster and its layout).
 */
final class DiagnosticsPages {
    private static final int LOG_LINES = 500;
    private final ConsoleBackend backend;
    private final Pages pages;
    private final HealthCheckRegistry health;
    private final MetricRegistry metrics;
    private final RequestLog requests;
    private final CyclicBufferAppender<ILoggingEvent> recentLog = new CyclicBufferAppender<>();
    private final PatternLayout layout = new PatternLayout();

    DiagnosticsPages(ConsoleBackend backend, Pages pages, HealthCheckRegistry health, MetricRegistry metrics, RequestLog requests) {
        this.backend = backend;
        this.pages = pages;
        this.health = health;
        this.metrics = metrics;
        this.requests = requests;
        // The node's recent log lines, for the bundle: logback's own ring buffer on the root logger.
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            recentLog.setContext(ctx);
            recentLog.setName("console-recent");
            recentLog.setMaxSize(LOG_LINES);
            recentLog.start();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(recentLog);
            layout.setContext(ctx);
            layout.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36}: %msg%n%ex{5}");
            layout.start();
        }
    }

    /** A check that explains itself: state (ok, warn, fail), what was seen, and what to do about it. */
    record Finding(String name, String state, String detail, String advice) {
    }

    @SuppressWarnings("unchecked")
    List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        health.runHealthChecks().forEach((name, r) -> out.add(new Finding("component: " + name, r.isHealthy() ? "ok" : "fail",
                r.getMessage() == null ? (r.isHealthy() ? "healthy" : "unhealthy") : r.getMessage(),
                r.isHealthy() ? "" : "See the node's log (Diagnostics → bundle) for the error; a restart retries."
                        + (name.equals("ledger") ? " The log or the views are not running: check the disk and the other nodes." : ""))));
        long lag = backend.viewLag();
        out.add(new Finding("views follow the log", lag < 0 ? "warn" : lag > 1000 ? "warn" : "ok",
                lag < 0 ? "the log's end could not be read" : lag + " events not applied yet",
                lag < 0 || lag > 1000 ? "The node is catching up (after a restart or a burst) or cannot reach the log; reads wait "
                        + "for it. If it does not shrink, check the node's log and the other nodes." : ""));
        Map<String, Object> cluster = backend.cluster();
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.getOrDefault("nodes", List.of());
        for (Map<String, Object> n : nodes) {
            String id = String.valueOf(n.get("id"));
            String state = String.valueOf(n.get("state"));
            if (!"up".equals(state)) {
                out.add(new Finding("node " + id + " is " + state, "down".equals(state) ? "fail" : "warn",
                        "since " + n.get("since") + " (" + n.get("address") + ")",
                        "Start the node again (ops/blockcloset up or systemctl start blockcloset). After "
                                + "BLOCKCLOSET_REPAIR_GRACE down its blocks are copied to the others; if the host is gone for good, "
                                + "remove it: ops/blockcloset remove " + id + "."));
            }
            long capacity = ((Number) n.getOrDefault("capacity", 0L)).longValue();
            long used = ((Number) n.getOrDefault("used", 0L)).longValue();
            if (capacity > 0 && used * 10 >= capacity * 9) {
                out.add(new Finding("disk of node " + id + " near full", used >= capacity ? "fail" : "warn",
                        Bytes.human(used) + " of " + Bytes.human(capacity) + " lent",
                        "Lend the node more space (BLOCKCLOSET_CAPACITY), add a node, or delete what is no longer needed."));
            }
            Object skew = n.get("clockSkewMillis");
            if (skew instanceof Number s && Math.abs(s.longValue()) > 2000) {
                out.add(new Finding("clock of node " + id, "warn", "differs by " + s.longValue() + " ms from this node's",
                        "Run NTP (systemd-timesyncd or chrony) on every host: signatures and liveness depend on clocks."));
            }
        }
        long urp = backend.underReplicatedLogPartitions();
        if (urp >= 0) {
            out.add(new Finding("log replication", urp > 0 ? "warn" : "ok", urp + " partitions of the log led by this node have "
                    + "fewer in-sync copies than copies", urp > 0 ? "A node is down or slow, so the log keeps fewer copies; it "
                    + "catches up when the node is back (or after it is removed and the log is reassigned). Writes go on while "
                    + "two copies are in sync." : ""));
        }
        Map<String, Object> scrub = backend.scrubStatus();
        if (!scrub.isEmpty()) {
            long corrupt = ((Number) scrub.getOrDefault("corruptFound", 0L)).longValue();
            out.add(new Finding("scrub of this node's disk", corrupt > 0 ? "warn" : "ok", scrub.get("state") + ": "
                    + scrub.get("blocksChecked") + " of " + scrub.get("blocksTotal") + " blocks checked in pass " + scrub.get("passes")
                    + ", " + corrupt + " corrupt", corrupt > 0 ? "Corrupt copies were deleted and the repair copies them again from "
                    + "healthy replicas. If it happens again, check the disk (smartctl -a) and its cable." : ""));
        }
        long under = ((Number) cluster.getOrDefault("underReplicatedBlocks", 0L)).longValue();
        long lost = ((Number) cluster.getOrDefault("lostBlocks", 0L)).longValue();
        out.add(new Finding("blocks under-replicated", under > 0 ? "warn" : "ok", under + " blocks have fewer copies than asked",
                under > 0 ? "Repair makes the missing copies by itself (Nodes shows its progress); keep the nodes up meanwhile." : ""));
        out.add(new Finding("blocks unavailable", lost > 0 ? "fail" : "ok", lost + " blocks have no copy on a running node",
                lost > 0 ? "Bring back any node that was removed or is down; its disk may still hold them. Objects with a lost "
                        + "block cannot be read whole." : ""));
        return out;
    }

    void page(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        scope.put("title", "Diagnostics");
        backend.readBarrier();
        scope.put("findings", findings().stream().map(f -> Map.of("name", f.name(), "state", f.state(), "detail", f.detail(),
                "advice", f.advice(), "cls", f.state().equals("ok") ? "green" : f.state().equals("warn") ? "amber" : "red")).toList());
        scope.put("threshold", requests.threshold().toMillis() + " ms");
        scope.put("slow", rows(requests.slow()));
        scope.put("noSlow", requests.slow().isEmpty());
        pages.render(resp, 200, "diagnostics", scope);
    }

    /** The live tail: the newest requests, reloaded every 3 seconds by the page itself (no script). */
    void tail(HttpServletRequest req, HttpServletResponse resp, Map<String, Object> scope) throws IOException {
        scope.put("title", "Live requests");
        List<RequestLog.Entry> tail = requests.tail(0);
        scope.put("requests", rows(tail.subList(0, Math.min(100, tail.size()))));
        scope.put("refresh", true);
        pages.render(resp, 200, "tail", scope);
    }

    private static List<Map<String, Object>> rows(List<RequestLog.Entry> entries) {
        return entries.stream().map(e -> {
            Map<String, Object> m = new HashMap<>();
            m.put("at", Bytes.whenSeconds(e.at()));
            m.put("op", e.operation());
            m.put("what", e.what());
            m.put("status", e.status());
            m.put("ms", String.format(Locale.ROOT, "%.1f", e.millis()));
            m.put("client", e.client());
            m.put("requestId", e.requestId());
            m.put("stages", e.stages().stream().map(org.blockcloset.ledger.trace.Trace.Stage::toString)
                    .collect(Collectors.joining(" · ")));
            return m;
        }).toList();
    }

    /** The diagnostic bundle: one zip to attach to a bug report. Holds no secret. */
    void bundle(HttpServletResponse resp) throws IOException {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .registerModule(new MetricsModule(TimeUnit.SECONDS, TimeUnit.MILLISECONDS, false))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
        resp.setContentType("application/zip");
        resp.setHeader("Content-Disposition", "attachment; filename=\"blockcloset-diagnostics-"
                + Instant.now().toString().replace(":", "") + ".zip\"");
        Pages.secureHeaders(resp);
        try (ZipOutputStream zip = new ZipOutputStream(resp.getOutputStream())) {
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("made", Instant.now().toString());
            about.put("version", backend.version());
            about.put("java", System.getProperty("java.version") + " " + System.getProperty("java.vendor"));
            about.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
            about.put("settings", backend.settingsWithoutSecrets());
            entry(zip, "about.json", json.writeValueAsBytes(about));
            entry(zip, "findings.json", json.writeValueAsBytes(findings()));
            entry(zip, "cluster.json", json.writeValueAsBytes(backend.cluster()));
            entry(zip, "health.json", json.writeValueAsBytes(health.runHealthChecks()));
            entry(zip, "metrics.json", json.writeValueAsBytes(metrics));
            entry(zip, "slow-requests.json", json.writeValueAsBytes(requests.slow()));
            StringBuilder log = new StringBuilder();
            for (int i = 0; i < recentLog.getLength(); i++) {
                log.append(layout.doLayout(recentLog.get(i)));
            }
            entry(zip, "recent-log.txt", log.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
