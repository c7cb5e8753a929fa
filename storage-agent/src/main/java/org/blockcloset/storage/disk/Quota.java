package org.blockcloset.storage.disk;

import java.util.concurrent.atomic.AtomicLong;
import org.blockcloset.storage.InsufficientStorageException;

/** Bytes of stored blocks plus writers' reservations. Invariant: never exceeds capacity through {@link #reserve}. */
final class Quota {
    private final long capacity;
    private final AtomicLong used;

    Quota(long capacity, long initiallyUsed) {
        this.capacity = capacity;
        this.used = new AtomicLong(initiallyUsed);
    }

    long capacity() {
        return capacity;
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
