package org.blockcloset.admin.api;

import org.blockcloset.admin.api.AdminServlet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.service.AccessKeyService;
import org.blockcloset.ledger.service.Caller;
import org.blockcloset.ledger.service.ChangeRefusedException;
import org.blockcloset.ledger.model.AccessKey;

/**
 * Admin API for access keys, on the admin port: {@code GET /api/keys}, {@code POST /api/keys},
 * {@code PUT /api/keys/<id>/buckets}, {@code DELETE /api/keys/<id>}; each change goes through
 * {@link AccessKeyService}. Every call is signed by an active admin key ({@link AdminAuth}); others get 401.
 */
public final class AccessKeysServlet extends AdminServlet {
    private final Ledger ledger;
    private final AccessKeyService keys;

    public AccessKeysServlet(Ledger ledger, AccessKeyService keys, AdminAuth auth, ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
        this.keys = keys;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        Caller who = Caller.of(caller.accessKeyId(), req.getRemoteAddr());
        try {
            if (req.getMethod().equals("GET") && path.equals("/")) {
                List<Map<String, Object>> keys = ledger.views().accessKeys().stream().map(AccessKeysServlet::describe).toList();
                send(resp, 200, keys);
            } else if (req.getMethod().equals("POST") && path.equals("/")) {
                byte[] raw = body(req, 64 * 1024);
                JsonNode body = raw.length > 0 ? json.readTree(raw) : json.createObjectNode();
                // A new key reaches no bucket unless it is given some here or later (PUT .../buckets).
                AccessKeyService.Created key = keys.create(who, body.path("description").asText(""),
                        body.path("admin").asBoolean(false), buckets(body.get("buckets")));
                Map<String, Object> out = describe(ledger.views().accessKey(key.accessKeyId()).orElseThrow());
                out.put("secretAccessKey", key.secretAccessKey());
                send(resp, 201, out);
            } else if (req.getMethod().equals("PUT") && path.endsWith("/buckets") && path.length() > "/buckets".length() + 1) {
                String id = path.substring(1, path.length() - "/buckets".length());
                JsonNode body = json.readTree(body(req, 64 * 1024));
                // null (as before keys started with no bucket): every bucket, as write.
                Map<String, String> buckets = buckets(body == null ? null : body.get("buckets"));
                keys.setBuckets(who, id, buckets == null ? Map.of(AccessKey.EVERY_BUCKET, "write") : buckets);
                send(resp, 200, describe(ledger.views().accessKey(id).orElseThrow()));
            } else if (req.getMethod().equals("DELETE") && path.length() > 1) {
                keys.revoke(who, path.substring(1));
                resp.setStatus(204);
            } else {
                send(resp, 405, Map.of("error", "use GET or POST /api/keys, PUT /api/keys/<id>/buckets, DELETE /api/keys/<id>"));
            }
        } catch (ChangeRefusedException e) {
            send(resp, status(e), Map.of("error", e.getMessage()));
        } catch (LedgerUnavailableException e) {
            send(resp, 503, Map.of("error", "the event log is unavailable"));
        }
    }

    private static Map<String, Object> describe(AccessKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accessKeyId", k.accessKeyId());
        m.put("description", k.description());
        m.put("admin", k.admin());
        m.put("created", k.created().toString());
        m.put("revoked", k.revoked() == null ? null : k.revoked().toString());
        m.put("buckets", k.buckets()); // null: every bucket
        return m;
    }


    /** A JSON object of bucket name to level as a map; null when absent or JSON null. */
    private static java.util.Map<String, String> buckets(JsonNode b) {
        if (b == null || b.isNull()) {
            return null;
        }
        java.util.Map<String, String> buckets = new java.util.TreeMap<>();
        for (var it = b.fields(); it.hasNext(); ) {
            var e = it.next();
            buckets.put(e.getKey(), e.getValue().asText());
        }
        return buckets;
    }
}
