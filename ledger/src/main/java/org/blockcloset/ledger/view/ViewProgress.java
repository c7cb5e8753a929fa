package org.blockcloset.ledger.view;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.blockcloset.ledger.model.Rejection;

/**
 * How far the views have applied each partition of the event log, and which recent events they
 * refused. The gateway waits here for its own event's offset before answering, which is what makes
 * a read after a write see the write.
 */
public final class ViewProgress {
    private static final int RECENT_REJECTIONS = 65_536;

    private final Map<Integer, Partition> partitions = new ConcurrentHashMap<>();
    /** Bumped after the fold applies a membership event, and when the views' state may have been replaced (a restore). */
    private final java.util.concurrent.atomic.AtomicLong membershipGeneration = new java.util.concurrent.atomic.AtomicLong();

    /** The members or the layout may have changed: snapshots taken before are stale. */
    public void membershipChanged() {
        membershipGeneration.incrementAndGet();
    }

    /** Changes each time {@link #membershipChanged} is called. */
    public long membershipGeneration() {
        return membershipGeneration.get();
    }
    private final Map<Long, Rejection> recentRejections = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Rejection> eldest) {
            return size() > RECENT_REJECTIONS;
        }
    };

    /** Called by the fold after it applied (or refused) the record at {@code offset}. */
    void applied(int partition, long offset, Rejection rejection) {
        if (rejection != null) {
            synchronized (recentRejections) {
                recentRejections.put(key(partition, offset), rejection);
            }
        }
        partition(partition).advance(offset);
    }

    /** Marks everything before {@code nextOffset} as applied (state restored, nothing to replay). */
    public void seed(int partition, long nextOffset) {
        partition(partition).advance(nextOffset - 1);
    }

    public long appliedOffset(int partition) {
        return partition(partition).applied.get();
    }

    /** Completes once the record at {@code offset} is applied, with the refusal if there was one. */
    public CompletableFuture<Optional<Rejection>> whenApplied(int partition, long offset) {
        return partition(partition).when(offset).thenApply(ignored -> {
            synchronized (recentRejections) {
                return Optional.ofNullable(recentRejections.get(key(partition, offset)));
            }
        });
    }

    private static long key(int partition, long offset) {
        return ((long) partition << 48) ^ offset;
    }

    private Partition partition(int p) {
        return partitions.computeIfAbsent(p, ignored -> new Partition());
    }

    private static final class Partition {
        final AtomicLong applied = new AtomicLong(-1);
        final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();

        void advance(long offset) {
            applied.accumulateAndGet(offset, Math::max);
            var done = waiters.headMap(offset, true);
            done.values().forEach(f -> f.complete(null));
            done.clear();
        }

        CompletableFuture<Void> when(long offset) {
            if (applied.get() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = waiters.computeIfAbsent(offset, ignored -> new CompletableFuture<>());
            // The fold may have passed the offset between the check and the registration.
            if (applied.get() >= offset) {
                waiters.remove(offset, f);
                f.complete(null);
            }
            return f;
        }
    }
}
