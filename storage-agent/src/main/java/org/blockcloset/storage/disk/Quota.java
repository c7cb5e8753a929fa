package org.blockcloset.storage.disk;

import java.util.concurrent.atomic.AtomicLong;
import org.blockcloset.storage.InsufficientStorageException;

/**
 * Bytes of stored blocks plus writers' reservations. Invariant: never exceeds capacity through
 * {@link #reserve}. The capacity may change while the node runs (an owner lends more or less): a
 * smaller one refuses new writes until blocks move away, it never deletes anything.
 */
final class Quota {
    private volatile long capacity;
    private final AtomicLong used;

    Quota(long capacity, long initiallyUsed) {
        this.capacity = capacity;
        this.used = new AtomicLong(initiallyUsed);
    }

    long capacity() {
        return capacity;
    }

    void capacity(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        capacity = bytes;
    }

    long used() {
        return used.get();
    }

    /** Reserves exactly {@code n} bytes, or nothing. */
    void reserve(long n) throws InsufficientStorageException {
        long current;
        do {
            current = used.get();
            if (current + n > capacity) {
                throw new InsufficientStorageException(n, Math.max(0, capacity - current));
            }
        } while (!used.compareAndSet(current, current + n));
    }

    /** Returns space reserved or occupied earlier; callers never release more than they took. */
    void release(long n) {
        used.addAndGet(-n);
    }
}
