package org.blockcloset.gateway.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.ToIntFunction;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.BucketReplicationChanged;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;

/**
 * A bucket's replication factor on the admin port (admin key): {@code GET /api/buckets/<name>} and
 * {@code PUT /api/buckets/<name>/replication} with {@code {"copies": 1..3}} ({@code null}: the
 * cluster's default). It applies to writes from then on; existing blocks keep their copies until
 * the repair (self-healing issue) brings them to the new factor.
 */
public final class BucketsAdminServlet extends AdminServlet {
    private final Ledger ledger;
    private final ToIntFunction<String> effective;

    /** @param effective the copies a bucket's writes keep now (its factor, capped by the layout's) */
    public BucketsAdminServlet(Ledger ledger, AdminAuth auth, ToIntFunction<String> effective, ObjectMapper json) {
        super(auth, json);
        this.ledger = ledger;
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
            if (req.getMethod().equals("PUT") && parts.length == 3 && parts[2].equals("replication")) {
                JsonNode body = json.readTree(body(req, 4096));
                JsonNode copies = body == null ? null : body.get("copies");
                Integer value = copies == null || copies.isNull() ? null : copies.asInt();
                if (value != null && (value < 1 || value > 3)) {
                    send(resp, 400, Map.of("error", "copies must be 1, 2 or 3 (or null for the cluster's default)"));
                    return;
                }
                ledger.append(caller.accessKeyId(), UUID.randomUUID().toString(), new BucketReplicationChanged(name, value));
            } else if (req.getMethod().equals("PUT") && parts.length == 3 && parts[2].equals("quota")) {
                JsonNode body = json.readTree(body(req, 4096));
                Long maxBytes = body == null || !body.hasNonNull("maxBytes") ? null : body.get("maxBytes").asLong();
                Long maxObjects = body == null || !body.hasNonNull("maxObjects") ? null : body.get("maxObjects").asLong();
                if ((maxBytes != null && maxBytes < 0) || (maxObjects != null && maxObjects < 0)) {
                    send(resp, 400, Map.of("error", "maxBytes and maxObjects are 0 or more (or null: no limit)"));
                    return;
                }
                ledger.append(caller.accessKeyId(), UUID.randomUUID().toString(), req.getRemoteAddr(),
                        new org.blockcloset.ledger.event.BucketQuotaChanged(name, maxBytes, maxObjects));
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
        } catch (RejectedException e) {
            send(resp, 404, Map.of("error", e.rejection().name()));
        } catch (LedgerUnavailableException e) {
            send(resp, 503, Map.of("error", "the event log is unavailable"));
        }
    }

}
