package org.blockcloset.ledger.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.blockcloset.ledger.EventLog;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.BucketDeleted;
import org.blockcloset.ledger.model.Rejection;
import org.junit.jupiter.api.Test;

/** The ledger without a broker keeps the Ledger contract the handlers rely on. */
class InMemoryLedgerTest {
    @Test
    void anAppendIsAppliedBeforeItReturnsAndTheFoldStillDecides() throws Exception {
        Ledger ledger = new InMemoryLedger();
        Ledger.Appended first = ledger.appendWithOffset("key-1", "req-1", "127.0.0.1", new BucketCreated("photos", Instant.now()));
        assertEquals(0, first.offset());
        assertTrue(ledger.views().bucket("photos").isPresent(), "read after write sees the write");
        RejectedException again = assertThrows(RejectedException.class,
                () -> ledger.append("key-1", "req-2", new BucketCreated("photos", Instant.now())));
        assertEquals(Rejection.BUCKET_EXISTS, again.rejection());
        assertEquals(1, ledger.progress().appliedOffset(0), "the refused event took its place in the log too");
        ledger.append("key-1", "req-3", new BucketDeleted("photos"));
        assertTrue(ledger.views().bucket("photos").isEmpty());
    }

    @Test
    void theEventLogReadsWhatWasAppendedBothWays() throws Exception {
        Ledger ledger = new InMemoryLedger();
        for (int i = 0; i < 1200; i++) {
            ledger.append("key-1", "req-" + i, new BucketCreated("b" + i, Instant.now()));
        }
        try (EventLog log = ledger.openEventLog()) {
            assertEquals(1200, log.end());
            List<EventLog.Entry> all = new ArrayList<>();
            log.forEach(0, log.end(), all::add);
            assertEquals(1200, all.size());
            assertEquals("req-0", all.get(0).event().requestId());
            EventLog.Page newest = log.newestFirst(e -> e.requestId().endsWith("7"), Long.MAX_VALUE, 3, 10_000);
            assertEquals(List.of("req-1197", "req-1187", "req-1177"), newest.entries().stream().map(e -> e.event().requestId()).toList());
            assertEquals(1177, newest.next());
        }
    }
}
