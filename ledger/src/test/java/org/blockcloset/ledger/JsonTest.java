package org.blockcloset.ledger;

import org.blockcloset.ledger.codec.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.blockcloset.ledger.layout.Layout;
import org.junit.jupiter.api.Test;

class JsonTest {
    private final Serde<Layout> serde = Json.memoizingSerde(Layout.class, 2);
    private final Layout a = new Layout(1, 2, 64, List.of(List.of("node-a", "node-b")));
    private final Layout b = new Layout(2, 2, 64, List.of(List.of("node-b", "node-a")));

    private Layout decode(Layout value) {
        // A fresh array each time, as a store hands out: equal content, never the same array.
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void equalBytesDecodeOnceAndDifferentBytesApart() {
        Layout first = decode(a);
        assertEquals(a, first);
        assertSame(first, decode(a), "the same bytes again: the value decoded before");
        Layout other = decode(b);
        assertEquals(b, other);
        assertNotSame(first, other);
        assertNull(serde.deserializer().deserialize("t", null));
    }

    @Test
    void keepsAtMostItsEntriesAndStillDecodesRight() {
        for (int version = 1; version <= 10; version++) {
            Layout l = new Layout(version, 2, 64, List.of(List.of("node-a")));
            assertEquals(l, decode(l));
        }
        assertEquals(a, decode(a));
        assertEquals(b, decode(b));
    }

    @Test
    void aDecodedValueDoesNotChangeWhenTheStoreReusesItsArray() {
        byte[] bytes = serde.serializer().serialize("t", a);
        Layout first = serde.deserializer().deserialize("t", bytes);
        java.util.Arrays.fill(bytes, (byte) ' '); // the caller's array is not kept as the key
        assertSame(first, decode(a));
    }
}
