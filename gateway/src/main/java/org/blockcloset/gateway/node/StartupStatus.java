package org.blockcloset.gateway.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting node answers before it serves: the node's ports are Dropwizard's only once every
 * part has started, and a member of a cluster cannot start before a quorum of the log's controllers
 * is up, which after a power cut may be minutes (the other hosts boot later). Meanwhile the admin
 * port says why it is not serving yet: {@code /healthcheck} answers 503 with the stage (which
 * controllers it reaches and which not), {@code /ping} answers {@code pong} (the process is alive),
 * {@code /api/*} a JSON 503 that {@code ops/blockcloset status} prints, and any other page (the
 * console) a short page with the stage that reloads itself; the S3 port (often open to the LAN)
 * answers 503 ServiceUnavailable without the stage, which S3 clients retry. Closed just
 * before Dropwizard opens the same ports.
 */
public final class StartupStatus implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StartupStatus.class);
    private final List<HttpServer> servers = new ArrayList<>();
    private volatile String stage = "starting";

    private StartupStatus() {
    }

    /** Opens the stand-in on the admin and S3 ports; a port that cannot be bound is left to Dropwizard to report. */
    public static StartupStatus open(String adminBind, int adminPort, String s3Bind, int s3Port) {
        return open(adminBind, adminPort, s3Bind, s3Port, null);
    }

    /** As {@link #open(String, int, String, int)}, speaking TLS with {@code tls} when it is not null (as the ports will). */
    public static StartupStatus open(String adminBind, int adminPort, String s3Bind, int s3Port, javax.net.ssl.SSLContext tls) {
        StartupStatus s = new StartupStatus();
        s.listen(adminBind, adminPort, s::admin, tls);
        s.listen(s3Bind, s3Port, s::s3, tls);
        return s;
    }

    /** The stage the start is at, as people read it ("waiting for a quorum of the log's controllers (...)"). */
    public void stage(String stage) {
        if (!stage.equals(this.stage)) {
            this.stage = stage;
        }
    }

    public String stage() {
        return stage;
    }

    private void listen(String bind, int port, com.sun.net.httpserver.HttpHandler handler, javax.net.ssl.SSLContext tls) {
        try {
            HttpServer server;
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress(bind, port), 16);
            } else {
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(bind, port), 16);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
            server.createContext("/", exchange -> {
                try (exchange) {
                    handler.handle(exchange);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("startup status answer failed: {}", e.toString());
                }
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "startup-status-" + port);
                t.setDaemon(true);
                return t;
            }));
            server.start();
            servers.add(server);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot answer on {}:{} while starting: {}", bind, port, e.toString());
        }
    }

    private void admin(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String now = stage;
        if (path.equals("/ping")) {
            send(exchange, 200, "text/plain; charset=utf-8", "pong\n");
        } else if (path.equals("/healthcheck")) {
            send(exchange, 503, "application/json", "{\"starting\":{\"healthy\":false,\"message\":" + json("this node is starting: " + now)
                    + "}}");
        } else if (path.startsWith("/api/")) {
            send(exchange, 503, "application/json", "{\"error\":" + json("this node is starting: " + now) + ",\"starting\":"
                    + json(now) + "}");
        } else {
            send(exchange, 503, "text/html; charset=utf-8", "<!doctype html><html><head><meta charset=\"utf-8\">"
                    + "<meta http-equiv=\"refresh\" content=\"5\"><title>Block Closet is starting</title></head><body>"
                    + "<h1>This node is starting</h1><p>" + html(now) + "</p><p>This page reloads by itself; the console "
                    + "appears as soon as the node serves.</p></body></html>");
        }
    }

    private void s3(HttpExchange exchange) throws IOException {
        send(exchange, 503, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServiceUnavailable</Code>"
                + "<Message>This node is starting; retry shortly.</Message></Error>");
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (status == 503) {
            exchange.getResponseHeaders().set("Retry-After", "5");
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Frees the ports for Dropwizard. */
    @Override
    public void close() {
        for (HttpServer server : servers) {
            server.stop(0);
            if (server.getExecutor() instanceof java.util.concurrent.ExecutorService e) {
                e.shutdownNow();
            }
        }
        servers.clear();
    }
}
