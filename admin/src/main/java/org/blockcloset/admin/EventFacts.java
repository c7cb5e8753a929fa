package org.blockcloset.admin;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;

/**
 * What the audit timeline shows and filters by for an event: its type, the bucket, key and node it
 * is about, and a short summary. Read from the event's JSON so that every event type has them
 * without a case per type; sealed secrets and password hashes are never part of the summary.
 */
record EventFacts(String type, String bucket, String key, String node, String summary) {
    /** Every event type, for the timeline's filter. */
    static final List<String> TYPES = Arrays.stream(Event.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name).sorted().toList();

    static EventFacts of(LoggedEvent logged) {
        Event e = logged.event();
        String type = e == null ? "?" : e.getClass().getSimpleName();
        JsonNode json = e == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.valueToTree(e);
        JsonNode inner = json.has("object") ? json.get("object") : json.has("upload") ? json.get("upload") : json;
        String bucket = text(inner, "bucket", text(json, "bucket", null));
        String key = text(inner, "key", text(json, "key", null));
        String node = text(json, "nodeId", null);
        StringBuilder s = new StringBuilder();
        if (bucket != null) {
            s.append(bucket);
            if (key != null) {
                s.append('/').append(key);
            }
        }
        if (node != null) {
            s.append(s.isEmpty() ? "" : " ").append("node ").append(node);
        }
        for (String field : List.of("size", "accessKeyId", "description", "replication", "capacity", "clusterName", "uploadId")) {
            JsonNode v = inner.has(field) ? inner.get(field) : json.get(field);
            if (v != null && !v.isNull() && !v.isContainerNode()) {
                s.append(s.isEmpty() ? "" : ", ").append(field).append(' ').append(v.asText());
            }
        }
        if (json.has("blocks") && json.get("blocks").isObject()) {
            s.append(s.isEmpty() ? "" : ", ").append(json.get("blocks").size()).append(" blocks");
        }
        return new EventFacts(type, bucket, key, node, s.toString());
    }

    private static String text(JsonNode n, String field, String otherwise) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? otherwise : v.asText();
    }
}
