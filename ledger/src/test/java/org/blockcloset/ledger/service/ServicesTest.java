package org.blockcloset.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.memory.InMemoryLedger;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.seal.SecretBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bucket and access-key services' rules, on the in-memory ledger: what each refuses, and why. */
class ServicesTest {
    private final InMemoryLedger ledger = new InMemoryLedger();
    private final SecretBox box = new SecretBox(new byte[32]);
    private final BucketService buckets = new BucketService(ledger, Clock.systemUTC());
    private final AccessKeyService keys = new AccessKeyService(ledger, box, Clock.systemUTC());
    private final Caller admin = Caller.of("ADMIN", "127.0.0.1");

    @AfterEach
    void close() {
        ledger.close();
    }

    private static ChangeRefusedException.Reason reason(org.junit.jupiter.api.function.Executable change) {
        return assertThrows(ChangeRefusedException.class, change).reason();
    }

    @Test
    void bucketsAreMadeDeletedAndGivenQuotasAndCopiesByOneSetOfRules() throws Exception {
        assertEquals(ChangeRefusedException.Reason.INVALID, reason(() -> buckets.create(admin, "Not_Valid", false, null)));
        buckets.create(admin, "photos", true, null);
        assertTrue(ledger.views().bucket("photos").orElseThrow().locked(), "made with object lock");
        ChangeRefusedException twice = assertThrows(ChangeRefusedException.class, () -> buckets.create(admin, "photos", false, null));
        assertEquals(Rejection.BUCKET_EXISTS, twice.rejection(), "the views decide between two creates");

        assertEquals(ChangeRefusedException.Reason.INVALID, reason(() -> buckets.setCopies(admin, "photos", 4)));
        assertEquals(ChangeRefusedException.Reason.INVALID, reason(() -> buckets.setQuota(admin, "photos", -1L, null)));
        assertEquals(ChangeRefusedException.Reason.NOT_FOUND, reason(() -> buckets.setCopies(admin, "nowhere", 2)));
        buckets.setCopies(admin, "photos", 2);
        buckets.setQuota(admin, "photos", 1L << 30, 10L);
        assertEquals(2, ledger.views().bucket("photos").orElseThrow().replication());
        assertEquals(10L, ledger.views().bucket("photos").orElseThrow().quotaObjects());

        ledger.append("ADMIN", "put", new ObjectPut(new ObjectVersion("photos", "cat.jpg", "v1", 3, "\"e\"", Instant.now(),
                Map.of(), Map.of(), null, null, null, java.util.List.of()), null));
        ChangeRefusedException notEmpty = assertThrows(ChangeRefusedException.class, () -> buckets.delete(admin, "photos"));
        assertEquals(ChangeRefusedException.Reason.CONFLICT, notEmpty.reason());
        assertEquals(Rejection.BUCKET_NOT_EMPTY, notEmpty.rejection());
        assertEquals(ChangeRefusedException.Reason.NOT_FOUND, reason(() -> buckets.delete(admin, "nowhere")));
        buckets.create(admin, "empty", false, null);
        buckets.delete(admin, "empty");
        assertTrue(ledger.views().bucket("empty").isEmpty());
    }

    @Test
    void keysStartWithNoBucketAndTheLastAdminKeyStays() throws Exception {
        AccessKeyService.Created first = keys.create(admin, "first admin", true, null);
        AccessKey made = ledger.views().accessKey(first.accessKeyId()).orElseThrow();
        assertEquals(first.secretAccessKey(), box.secretOf(made).orElseThrow(), "the secret goes into the log sealed");
        assertFalse(made.sealedSecret().contains(first.secretAccessKey()));

        AccessKeyService.Created restic = keys.create(admin, "restic", false, null);
        assertEquals(Map.of(), ledger.views().accessKey(restic.accessKeyId()).orElseThrow().buckets(), "no bucket until given");
        assertEquals(ChangeRefusedException.Reason.INVALID,
                reason(() -> keys.create(admin, "greedy", false, Map.of(AccessKey.EVERY_BUCKET, "owner"))),
                "every bucket as owner is never given");
        assertEquals(ChangeRefusedException.Reason.INVALID, reason(() -> keys.setBuckets(admin, restic.accessKeyId(), Map.of("photos", "READ"))));
        assertEquals(ChangeRefusedException.Reason.INVALID, reason(() -> keys.create(admin, "x".repeat(201), false, null)));
        keys.setBuckets(admin, restic.accessKeyId(), Map.of("photos", "write"));
        assertEquals(Map.of("photos", "write"), ledger.views().accessKey(restic.accessKeyId()).orElseThrow().buckets());
        assertEquals(ChangeRefusedException.Reason.NOT_FOUND, reason(() -> keys.setBuckets(admin, "NOSUCHKEY", Map.of())));

        assertEquals(ChangeRefusedException.Reason.CONFLICT, reason(() -> keys.revoke(admin, first.accessKeyId())),
                "the last active admin key");
        AccessKeyService.Created second = keys.create(admin, "second admin", true, null);
        keys.revoke(admin, first.accessKeyId());
        assertFalse(ledger.views().accessKey(first.accessKeyId()).orElseThrow().active());
        assertEquals(ChangeRefusedException.Reason.CONFLICT, reason(() -> keys.revoke(admin, second.accessKeyId())));
        assertEquals(ChangeRefusedException.Reason.NOT_FOUND, reason(() -> keys.revoke(admin, "NOSUCHKEY")));
    }
}
