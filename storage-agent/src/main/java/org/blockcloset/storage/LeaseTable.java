package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins held on behalf of a remote caller (another node's gateway writing or reading blocks here),
 * grouped under a lease that the caller renews while its request runs. When the caller settles the
 * lease the pins go as it says (kept for garbage collection to judge, or the created blocks
 * discarded); when the caller dies and the lease expires, the pins are released with the created
 * blocks kept, since the caller's event may have reached the log. Either way nothing leaks.
 */
public final class LeaseTable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseTable.class);
    /** Longest lease a caller may ask for; it renews beyond that. */
    public static final Duration MAX_TTL = Duration.ofMinutes(10);

    private final BlockStore store;
    private final Clock clock;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    /** Ids of recently ended leases: a late block must not reopen one its caller already gave up. */
    private final java.util.Set<String> ended = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 100_000;
        }
    });

    private static final class Lease {
        final List<SealedBlock> created = new ArrayList<>();
        final List<SealedBlock> reused = new ArrayList<>();
        Duration ttl;
        Instant expires;
        boolean settled;
    }

    public LeaseTable(BlockStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Opens a lease that lives {@code ttl} (at most {@link #MAX_TTL}) unless renewed. Returns its id. */
    public String open(Duration ttl) {
        Lease l = new Lease();
        l.ttl = ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
        l.expires = clock.instant().plus(l.ttl);
        String id = UUID.randomUUID().toString();
        leases.put(id, l);
        return id;
    }

    /**
     * Opens a lease under an id the caller chose (a UUID), or renews it if open: a writer sends its
     * first block with the lease instead of asking for one first, saving a round trip per node.
     * False when that id was settled or expired already (its pins are gone; the caller's request failed).
     */
    public boolean openOrRenew(String id, Duration ttl) {
        Lease fresh = new Lease();
        fresh.ttl = ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
        fresh.expires = clock.instant().plus(fresh.ttl);
        Lease l = leases.putIfAbsent(id, fresh);
        if (l == null) {
            boolean wasEnded;
            synchronized (ended) {
                wasEnded = ended.contains(id);
            }
            if (wasEnded) {
                leases.remove(id, fresh);
                return false;
            }
            return true;
        }
        return renew(id);
    }

    /** Extends a live lease by its ttl; false when it is unknown or already expired. */
    public boolean renew(String id) {
        Lease l = leases.get(id);
        if (l == null) {
            return false;
        }
        synchronized (l) {
            if (l.settled) {
                return false;
            }
            l.expires = clock.instant().plus(l.ttl);
            return true;
        }
    }

    /** Hands a block this node just sealed for the lease's owner to the lease (it is already pinned). */
    public boolean adoptCreated(String id, SealedBlock block) {
        Lease l = leases.get(id);
        if (l != null) {
            synchronized (l) {
                if (!l.settled) {
                    l.created.add(block);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Pins existing blocks under the lease.
     *
     * @return false if the lease is unknown or expired (nothing pinned)
     * @throws BlockNotFoundException if a block is absent (nothing pinned)
     */
    public boolean retain(String id, Collection<BlockId> ids) throws IOException {
        Lease l = leases.get(id);
        if (l == null) {
            return false;
        }
        List<SealedBlock> pinned = store.retain(ids);
        synchronized (l) {
            if (!l.settled) {
                l.reused.addAll(pinned);
                return true;
            }
        }
        store.release(pinned);
        return false;
    }

    /**
     * Ends a lease: {@code keep} releases every pin (an event references the created blocks, or may);
     * otherwise the created blocks are discarded. False when the lease was unknown or already gone.
     */
    public boolean settle(String id, boolean keep) {
        Lease l = leases.remove(id);
        synchronized (ended) {
            ended.add(id);
        }
        return l != null && settle(l, keep);
    }

    private boolean settle(Lease l, boolean keep) {
        List<SealedBlock> created;
        List<SealedBlock> reused;
        synchronized (l) {
            if (l.settled) {
                return false;
            }
            l.settled = true;
            created = List.copyOf(l.created);
            reused = List.copyOf(l.reused);
        }
        if (keep) {
            store.release(created);
        } else {
            store.discard(created);
        }
        store.release(reused);
        return true;
    }

    /** Releases the pins of every expired lease (created blocks kept for GC). Returns how many expired. */
    public int expire() {
        Instant now = clock.instant();
        int n = 0;
        for (Map.Entry<String, Lease> e : leases.entrySet()) {
            Lease l = e.getValue();
            boolean expired;
            synchronized (l) {
                expired = now.isAfter(l.expires);
            }
            if (expired && leases.remove(e.getKey(), l)) {
                synchronized (ended) {
                    ended.add(e.getKey());
                }
                if (settle(l, true)) {
                    n++;
                }
            }
        }
        if (n > 0) {
            LOG.info("{} block lease(s) expired; their pins were released", n);
        }
        return n;
    }

    /** Leases open now. */
    public int size() {
        return leases.size();
    }

    public Optional<Instant> expiry(String id) {
        Lease l = leases.get(id);
        if (l == null) {
            return Optional.empty();
        }
        synchronized (l) {
            return Optional.of(l.expires);
        }
    }
}
