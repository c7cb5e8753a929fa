package org.blockcloset.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.ObjectPut;
import org.junit.jupiter.api.Test;

/** Events written by earlier releases still decode: the log is never rewritten. */
class EventCompatibilityTest {
    @Test
    void anAccessKeyFromBeforeSealingKeepsItsClearSecret() {
        String old = "{\"type\":\"AccessKeyCreated\",\"accessKeyId\":\"OLDKEY\",\"secretKey\":\"clear-secret\","
                + "\"description\":\"d\",\"admin\":true,\"created\":\"2026-11-01T00:00:00Z\"}";
        AccessKeyCreated e = (AccessKeyCreated) Json.read(old.getBytes(StandardCharsets.UTF_8), Event.class);
        assertEquals("clear-secret", e.secretKey());
        assertNull(e.sealedSecret());
    }

    @Test
    void aNewAccessKeyEventCarriesNoClearSecret() {
        byte[] json = Json.write(new AccessKeyCreated("NEWKEY", "v1.sealed", "d", false, Instant.EPOCH, null));
        assertFalse(new String(json, StandardCharsets.UTF_8).contains("secretKey"));
    }

    @Test
    void blockIdsStayHexStrings() {
        String old = "{\"type\":\"ObjectPut\",\"object\":{\"bucket\":\"b\",\"key\":\"k\",\"versionId\":\"v\",\"size\":3,"
                + "\"etag\":\"\\\"e\\\"\",\"lastModified\":\"2026-11-01T00:00:00Z\",\"blocks\":[{\"id\":\""
                + "a".repeat(64) + "\",\"size\":3}]}}";
        ObjectPut p = (ObjectPut) Json.read(old.getBytes(StandardCharsets.UTF_8), Event.class);
        assertEquals("a".repeat(64), p.object().blocks().get(0).id().hex());
        assertEquals(new String(old.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).contains("\"id\":\"" + "a".repeat(64)),
                new String(Json.write(p), StandardCharsets.UTF_8).contains("\"id\":\"" + "a".repeat(64)));
    }
}
