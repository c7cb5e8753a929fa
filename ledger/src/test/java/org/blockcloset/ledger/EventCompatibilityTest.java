package org.blockcloset.ledger;

import org.blockcloset.ledger.codec.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.model.AccessKey;
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
    void aKeyMadeBeforeKeysStartedEmptyStillReachesEveryBucketAndANewOneOnlyWhatItWasGiven() {
        String old = "{\"type\":\"AccessKeyCreated\",\"accessKeyId\":\"OLDKEY\",\"sealedSecret\":\"v1.s\","
                + "\"description\":\"d\",\"admin\":false,\"created\":\"2026-11-01T00:00:00Z\"}";
        AccessKeyCreated before = (AccessKeyCreated) Json.read(old.getBytes(StandardCharsets.UTF_8), Event.class);
        assertNull(before.buckets());
        AccessKey legacy = new AccessKey("OLDKEY", "v1.s", "d", false, Instant.EPOCH, null, null, before.buckets());
        assertTrue(legacy.may(AccessKey.Permission.OWNER, "photos"), "as it did");

        AccessKeyCreated empty = (AccessKeyCreated) Json.read(Json.write(new AccessKeyCreated("NEW", "v1.s", "d", false, Instant.EPOCH,
                null, java.util.Map.of())), Event.class);
        AccessKey none = new AccessKey("NEW", "v1.s", "d", false, Instant.EPOCH, null, null, empty.buckets());
        assertFalse(none.may(AccessKey.Permission.READ, "photos"), "a new key reaches no bucket");

        AccessKey every = none.withBuckets(java.util.Map.of(AccessKey.EVERY_BUCKET, "write", "archive", "read"));
        assertTrue(every.may(AccessKey.Permission.WRITE, "photos"));
        assertFalse(every.may(AccessKey.Permission.OWNER, "photos"), "every bucket is never owner");
        assertFalse(every.may(AccessKey.Permission.WRITE, "archive"), "a bucket named for the key says what it may there");
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
