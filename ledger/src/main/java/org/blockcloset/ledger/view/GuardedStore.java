package org.blockcloset.ledger.view;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A view store whose reads say "views unavailable" in the ledger's words: Streams' exception for a
 * store being restored or migrated ({@link InvalidStateStoreException}) becomes
 * {@link ViewsUnavailableException}, in every read and every step of an iteration.
 */
final class GuardedStore<V> implements ReadOnlyKeyValueStore<String, V> {
    private final ReadOnlyKeyValueStore<String, V> store;

    GuardedStore(ReadOnlyKeyValueStore<String, V> store) {
        this.store = store;
    }

    static ViewsUnavailableException unavailable(InvalidStateStoreException e) {
        return new ViewsUnavailableException("the views are being restored: " + e.getMessage(), e);
    }

    /** One read of the store, in the ledger's words. */
    private static <T> T guard(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public V get(String key) {
        return guard(() -> store.get(key));
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        return guard(() -> new Guarded<>(store.range(from, to)));
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        return guard(() -> new Guarded<>(store.reverseRange(from, to)));
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return guard(() -> new Guarded<>(store.all()));
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        return guard(() -> new Guarded<>(store.reverseAll()));
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix,
            PS prefixKeySerializer) {
        return guard(() -> new Guarded<>(store.prefixScan(prefix, prefixKeySerializer)));
    }

    @Override
    public long approximateNumEntries() {
        return guard(() -> store.approximateNumEntries());
    }

    private static final class Guarded<V> implements KeyValueIterator<String, V> {
        private final KeyValueIterator<String, V> it;

        Guarded(KeyValueIterator<String, V> it) {
            this.it = it;
        }

        @Override
        public boolean hasNext() {
            return guard(() -> it.hasNext());
        }

        @Override
        public KeyValue<String, V> next() {
            return guard(() -> it.next());
        }

        @Override
        public String peekNextKey() {
            return guard(() -> it.peekNextKey());
        }

        @Override
        public void close() {
            it.close();
        }
    }
}
