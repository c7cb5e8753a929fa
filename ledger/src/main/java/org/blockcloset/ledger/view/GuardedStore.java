package org.blockcloset.ledger.view;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.blockcloset.ledger.ViewsUnavailableException;

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

    @Override
    public V get(String key) {
        try {
            return store.get(key);
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        try {
            return new Guarded<>(store.range(from, to));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        try {
            return new Guarded<>(store.reverseRange(from, to));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public KeyValueIterator<String, V> all() {
        try {
            return new Guarded<>(store.all());
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        try {
            return new Guarded<>(store.reverseAll());
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix,
            PS prefixKeySerializer) {
        try {
            return new Guarded<>(store.prefixScan(prefix, prefixKeySerializer));
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    @Override
    public long approximateNumEntries() {
        try {
            return store.approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
    }

    private static final class Guarded<V> implements KeyValueIterator<String, V> {
        private final KeyValueIterator<String, V> it;

        Guarded(KeyValueIterator<String, V> it) {
            this.it = it;
        }

        @Override
        public boolean hasNext() {
            try {
                return it.hasNext();
            } catch (InvalidStateStoreException e) {
                throw unavailable(e);
            }
        }

        @Override
        public KeyValue<String, V> next() {
            try {
                return it.next();
            } catch (InvalidStateStoreException e) {
                throw unavailable(e);
            }
        }

        @Override
        public String peekNextKey() {
            try {
                return it.peekNextKey();
            } catch (InvalidStateStoreException e) {
                throw unavailable(e);
            }
        }

        @Override
        public void close() {
            it.close();
        }
    }
}
