package org.blockcloset.ledger.view;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.Stores;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.JoinToken;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;

/** The Streams topology that folds the event log into the views' state stores. */
public final class ViewTopology {
    private ViewTopology() {
    }

    public static void build(StreamsBuilder builder, String eventsTopic, ViewProgress progress) {
        addStore(builder, StoreNames.BUCKETS, Json.serde(Bucket.class));
        // Raw JSON bytes: reads decode the whole ObjectVersion, listings only an ObjectSummary.
        addStore(builder, StoreNames.OBJECTS, Serdes.ByteArray());
        addStore(builder, StoreNames.VERSIONS, Serdes.ByteArray());
        addStore(builder, StoreNames.UPLOADS, Json.serde(Upload.class));
        addStore(builder, StoreNames.PARTS, Json.serde(Part.class));
        addStore(builder, StoreNames.BLOCK_REFS, Serdes.Long());
        addStore(builder, StoreNames.ACCESS_KEYS, Json.serde(AccessKey.class));
        // Read by every write (where its blocks go, which nodes lend), written on membership changes only.
        addStore(builder, StoreNames.MEMBERS, Json.memoizingSerde(ClusterNode.class, 1024));
        addStore(builder, StoreNames.LAYOUT, Json.memoizingSerde(Layout.class, 16));
        addStore(builder, StoreNames.JOIN_TOKENS, Json.serde(JoinToken.class));
        addStore(builder, StoreNames.UNDER_REPLICATED, Json.serde(String[].class));
        addStore(builder, StoreNames.BUCKET_STATS, Json.serde(org.blockcloset.ledger.model.BucketStats.class));
        addStore(builder, StoreNames.CONSOLE, Json.serde(org.blockcloset.ledger.model.ConsoleSettings.class));
        addStore(builder, StoreNames.ADMIN_CALLS, Serdes.String());
        builder.stream(eventsTopic, Consumed.with(Serdes.String(), Json.serde(LoggedEvent.class)))
                .process(() -> new ViewFold(progress), StoreNames.ALL.toArray(String[]::new));
    }

    private static <V> void addStore(StreamsBuilder builder, String name, Serde<V> values) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values));
    }
}
