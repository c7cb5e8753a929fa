package org.blockcloset.admin;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the console's Mustache templates ({@code org/blockcloset/admin/templates/*.mustache},
 * compiled once and cached). Values are HTML-escaped unless a template asks otherwise; every page
 * goes out with headers that keep it out of caches and frames and forbid scripts from elsewhere.
 */
final class Pages {
    private final MustacheFactory factory = new DefaultMustacheFactory("org/blockcloset/admin/templates");
    private final Map<String, Mustache> compiled = new ConcurrentHashMap<>();

    void render(HttpServletResponse resp, int status, String template, Map<String, Object> scope) throws IOException {
        Mustache m = compiled.computeIfAbsent(template, t -> factory.compile(t + ".mustache"));
        resp.setStatus(status);
        resp.setContentType("text/html; charset=utf-8");
        secureHeaders(resp);
        try (Writer w = new OutputStreamWriter(resp.getOutputStream(), StandardCharsets.UTF_8)) {
            m.execute(w, scope).flush();
        }
    }

    static void secureHeaders(HttpServletResponse resp) {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; frame-ancestors 'none'; form-action 'self'");
    }
}
