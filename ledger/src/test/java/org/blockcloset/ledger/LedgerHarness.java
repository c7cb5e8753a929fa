package org.blockcloset.ledger;

import org.blockcloset.ledger.kafka.KafkaLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.kafka.EmbeddedKafka;
import org.blockcloset.ledger.kafka.KafkaSettings;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;

/** One embedded broker and one Ledger on it, on a directory that survives a {@link #restart()}. */
public final class LedgerHarness implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2024-01-02T03:04:05Z");

    private final Path dir;
    private final KafkaSettings kafkaSettings;
    private EmbeddedKafka kafka;
    private Ledger ledger;
    private long lastStartMillis;

    private LedgerHarness(Path dir) {
        this.dir = dir;
        this.kafkaSettings = KafkaSettings.withFreePorts(dir);
    }

    public static LedgerHarness start(Path dir) throws LedgerUnavailableException {
        LedgerHarness h = new LedgerHarness(dir);
        h.open();
        return h;
    }

    private void open() throws LedgerUnavailableException {
        long t0 = System.nanoTime();
        kafka = EmbeddedKafka.start(kafkaSettings);
        long t1 = System.nanoTime();
        ledger = KafkaLedger.start(new KafkaLedger.Settings(kafka.connection(), KafkaLedger.APPLICATION_ID, dir.resolve("streams"), (short) 1,
                Duration.ofSeconds(30), Duration.ofSeconds(120)));
        long t2 = System.nanoTime();
        lastStartMillis = TimeUnit.NANOSECONDS.toMillis(t2 - t1);
        System.out.printf("[timing] broker start %d ms, Ledger.start %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(t1 - t0), lastStartMillis);
    }

    /** Closes the ledger and the broker, then starts both again on the same directories. */
    public void restart() throws LedgerUnavailableException {
        restart(() -> { });
    }

    /** {@link #restart()}, running {@code whileDown} between the close and the start. */
    public void restart(Runnable whileDown) throws LedgerUnavailableException {
        long t0 = System.nanoTime();
        close();
        whileDown.run();
        System.out.printf("[timing] ledger + broker close %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        open();
    }

    public Ledger ledger() {
        return ledger;
    }

    public org.blockcloset.ledger.kafka.KafkaConnection connection() {
        return kafka.connection();
    }

    public long lastLedgerStartMillis() {
        return lastStartMillis;
    }

    public Ledger.Appended append(Event e) throws RejectedException, LedgerUnavailableException {
        return ledger.appendWithOffset("tester", UUID.randomUUID().toString(), null, e);
    }

    @Override
    public void close() {
        if (ledger != null) {
            ledger.close();
            ledger = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    public static ObjectVersion object(String bucket, String key, String versionId, String... blockIds) {
        List<BlockRef> blocks = Arrays.stream(blockIds).map(id -> new BlockRef(TestBlocks.id(id), 1024)).toList();
        return new ObjectVersion(bucket, key, versionId, 1024L * blocks.size(), "\"etag-" + versionId + "\"", T0,
                Map.of("content-type", "text/plain"), Map.of(), null, null, null, blocks);
    }
}
