package org.blockcloset.admin.api;

import org.blockcloset.admin.api.AdminServlet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.service.BucketService;
import org.blockcloset.ledger.service.Caller;
import org.blockcloset.ledger.service.ChangeRefusedException;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;

/**
 * A bucket's replication factor and quota on the admin port (admin key): {@code GET /api/buckets/<name>},
 * {@code PUT /api/buckets/<name>/replication} with {@code {"copies": 1..3}} ({@code null}: the
 * cluster's default), {@code PUT /api/buckets/<name>/quota}; changes go through {@link BucketService}. It applies to writes from then on; existing blocks keep their copies until
 * the repair (self-healing issue) brings them to the new factor.
 */
public final class BucketsAdminServlet extends AdminServlet {
    private final Ledger ledger;
    private final BucketService buckets;
    private final ToIntFunction<String> effective;

    /** @param effective the copies a bucket's writes keep now (its factor, capped by the layout's) */
    public BucketsAdminServlet(Ledger ledger, BucketService buckets, AdminAuth auth, ToIntFunction<String> effective,
                               ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
        this.buckets = buckets;
        this.effective = effective;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp, AccessKey caller) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String[] parts = path.split("/");
        if (parts.length < 2 || parts[1].isEmpty()) {
            send(resp, 404, Map.of("error", "use /api/buckets/<name>[/replication]"));
            return;
        }
        String name = parts[1];
        try {
            Caller who = Caller.of(caller.accessKeyId(), req.getRemoteAddr());
            if (req.getMethod().equals("PUT") && parts.length == 3 && parts[2].equals("replication")) {
                JsonNode body = json.readTree(body(req, 4096));
                JsonNode copies = body == null ? null : body.get("copies");
                buckets.setCopies(who, name, copies == null || copies.isNull() ? null : copies.asInt());
            } else if (req.getMethod().equals("PUT") && parts.length == 3 && parts[2].equals("quota")) {
                JsonNode body = json.readTree(body(req, 4096));
                Long maxBytes = body == null || !body.hasNonNull("maxBytes") ? null : body.get("maxBytes").asLong();
                Long maxObjects = body == null || !body.hasNonNull("maxObjects") ? null : body.get("maxObjects").asLong();
                buckets.setQuota(who, name, maxBytes, maxObjects);
            } else if (!req.getMethod().equals("GET") || parts.length != 2) {
                send(resp, 405, Map.of("error", "GET /api/buckets/<name>, PUT /api/buckets/<name>/replication or /quota"));
                return;
            }
            Optional<Bucket> b = ledger.views().bucket(name);
            if (b.isEmpty()) {
                send(resp, 404, Map.of("error", "no such bucket"));
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bucket", name);
            out.put("replication", b.get().replication());
            out.put("copies", effective.applyAsInt(name));
            org.blockcloset.ledger.model.BucketStats st = ledger.views().bucketStats(name);
            out.put("objects", st.objects());
            out.put("bytes", st.bytes());
            out.put("quotaBytes", b.get().quotaBytes());
            out.put("quotaObjects", b.get().quotaObjects());
            send(resp, 200, out);
        } catch (ChangeRefusedException e) {
            send(resp, status(e), Map.of("error", e.getMessage()));
        } catch (LedgerUnavailableException e) {
            send(resp, 503, Map.of("error", "the event log is unavailable"));
        }
    }

}
