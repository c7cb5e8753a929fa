package org.blockcloset.storage.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an alert to {@code BLOCKCLOSET_ALERT_WEBHOOK}: one POST whose JSON body holds
 * {@code title}, {@code message} (the short text), {@code priority}, and {@code cluster},
 * {@code subject}, {@code state}, {@code time}; the short text also goes in the {@code X-Title} and
 * {@code X-Message} headers. Gotify takes the body as it is, Home Assistant's webhook trigger reads
 * its fields, ntfy shows the headers' title and text. A failed send (no answer, or not 2xx) is
 * retried after 1, 5 and 25 s; the URL is never logged (it may hold a token).
 */
public final class AlertWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
    private static final long[] RETRY_SECONDS = {1, 5, 25};
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI url;
    private final java.util.function.Supplier<String> cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-webhook");
        t.setDaemon(true);
        return t;
    });

    /** @param url the webhook, or null/blank when none is set (then nothing is sent) */
    public AlertWebhook(String url, java.util.function.Supplier<String> cluster) {
        this.url = url == null || url.isBlank() ? null : parse(url.trim());
        this.cluster = cluster;
    }

    /** The URL, or a refusal that does not repeat it (it may hold a token). */
    private static URI parse(String url) {
        try {
            URI u = new URI(url);
            if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("BLOCKCLOSET_ALERT_WEBHOOK must be an http:// or https:// URL");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("BLOCKCLOSET_ALERT_WEBHOOK is not a valid URL (at index " + e.getIndex() + ")");
        }
    }

    public boolean configured() {
        return url != null;
    }

    /** Queues an alert (with its retries); returns at once. */
    public void send(String subject, String state, String message, boolean urgent) {
        if (url != null) {
            retries.execute(() -> attempt(body(subject, state, message, urgent), 0));
        }
    }

    /** Sends one alert now and says how it went ("delivered: 200", "failed: ..."), for the console's test button. */
    public String sendNow(String subject, String state, String message) {
        if (url == null) {
            return "no webhook is set (BLOCKCLOSET_ALERT_WEBHOOK)";
        }
        try {
            HttpResponse<String> r = http.send(request(body(subject, state, message, false)), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2 ? "delivered (" + r.statusCode() + ")" : "refused by the webhook (" + r.statusCode() + ")";
        } catch (Exception e) {
            return "not delivered: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } finally {
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Map<String, Object> body(String subject, String state, String message, boolean urgent) {
        Map<String, Object> b = new LinkedHashMap<>();
        String name = cluster.get();
        b.put("title", "Block Closet" + (name == null || name.isBlank() ? "" : " (" + name + ")") + ": " + subject + " " + state);
        b.put("message", message);
        b.put("priority", urgent ? 8 : 5);
        b.put("cluster", name);
        b.put("subject", subject);
        b.put("state", state);
        b.put("time", Instant.now().toString());
        return b;
    }

    private HttpRequest request(Map<String, Object> body) throws Exception {
        return HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-Title", ascii(String.valueOf(body.get("title"))))
                .header("X-Message", ascii(String.valueOf(body.get("message"))))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build();
    }

    private void attempt(Map<String, Object> body, int tried) {
        String outcome;
        try {
            HttpResponse<Void> r = http.send(request(body), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                return;
            }
            outcome = "answered " + r.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            outcome = e.getClass().getSimpleName();
        }
        if (tried < RETRY_SECONDS.length) {
            retries.schedule(() -> attempt(body, tried + 1), RETRY_SECONDS[tried], TimeUnit.SECONDS);
        } else {
            LOG.warn("Alert '{}' not delivered to the webhook after {} tries (last: {})", body.get("title"), tried + 1, outcome);
        }
    }

    /** Header values: printable ASCII only. */
    private static String ascii(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.length() > 900 ? b.substring(0, 900) : b.toString();
    }

    public void close() {
        retries.shutdownNow();
    }
}
