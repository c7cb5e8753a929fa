package org.blockcloset.ledger.view;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store in a sorted map, for folding the log outside Kafka Streams (a replay as of a
 * past time): the same fold code, the same read code, different storage. Keys sort as Strings, which
 * for the views' keys is their UTF-8 byte order (the stores' order in RocksDB) except for keys with
 * supplementary characters, whose relative order may differ; a replay is not an S3 listing.
 */
final class MapStore<V> implements KeyValueStore<String, V> {
    private final String name;
    private final NavigableMap<String, V> map = new java.util.concurrent.ConcurrentSkipListMap<>(); // read while the in-memory ledger appends

    MapStore(String name) {
        this.name = name;
    }

    @Override
    public void put(String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V old = map.get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(String key) {
        return map.remove(key);
    }

    @Override
    public V get(String key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        if (from == null && to == null) {
            return all();
        }
        if (from == null) {
            return iterator(map.headMap(to, true));
        }
        if (to == null) {
            return iterator(map.tailMap(from, true));
        }
        return from.compareTo(to) > 0 ? iterator(new TreeMap<>()) : iterator(map.subMap(from, true, to, true));
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return iterator(map);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS serializer) {
        String p = (String) prefix;
        return iterator(map.subMap(p, true, p + Character.MAX_VALUE, false));
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public org.apache.kafka.streams.query.Position getPosition() {
        return org.apache.kafka.streams.query.Position.emptyPosition();
    }

    /** Iterates a snapshot, so the fold may change the map while a caller iterates. */
    private KeyValueIterator<String, V> iterator(Map<String, V> view) {
        List<KeyValue<String, V>> items = new ArrayList<>(view.size());
        view.forEach((k, v) -> items.add(KeyValue.pair(k, v)));
        Iterator<KeyValue<String, V>> it = items.iterator();
        return new KeyValueIterator<>() {
            private int next;

            @Override
            public void close() {
            }

            @Override
            public String peekNextKey() {
                return items.get(next).key;
            }

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<String, V> next() {
                next++;
                return it.next();
            }
        };
    }
}
