package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blocks nothing references once they have gone untouched for a grace period. The grace
 * covers requests that wrote or deduplicated a block but have not yet logged the event that
 * references it; it must exceed the longest such request. Runs only when called.
 */
public final class GarbageCollector {
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    public record Result(long scanned, long deleted, long bytesFreed) {
    }

    private final BlockStore store;
    private final Predicate<BlockId> isReferenced;
    private final Duration grace;
    private final Clock clock;

    public GarbageCollector(BlockStore store, Predicate<BlockId> isReferenced, Duration grace, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.isReferenced = Objects.requireNonNull(isReferenced, "isReferenced");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
    }

    /**
     * One pass over the store. The reference check happens before the store re-checks the touch
     * time under its lock, so a block deduplicated during the pass is spared.
     */
    public Result runOnce() throws IOException {
        Instant cutoff = clock.instant().minus(grace);
        long scanned = 0;
        long deleted = 0;
        long bytesFreed = 0;
        try (Stream<BlockInfo> blocks = store.list()) {
            for (Iterator<BlockInfo> it = blocks.iterator(); it.hasNext(); ) {
                BlockInfo block = it.next();
                scanned++;
                if (block.lastTouched().isBefore(cutoff)
                        && !isReferenced.test(block.id())
                        && store.deleteIfUntouchedSince(block.id(), cutoff)) {
                    deleted++;
                    bytesFreed += block.size();
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Result result = new Result(scanned, deleted, bytesFreed);
        log.info("Block GC: {} (cutoff {})", result, cutoff);
        return result;
    }
}
