package org.blockcloset.ledger.codec;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.blockcloset.ledger.model.BlockId;

/** The one JSON mapping of events and view records (log values and store values). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(blockIds())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // Newer writers may add fields; old readers keep working (schema evolution by addition).
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    /** A block id is its hex string in JSON, as events have always written it. */
    private static SimpleModule blockIds() {
        SimpleModule m = new SimpleModule("block-ids");
        m.addSerializer(BlockId.class, new ToStringSerializer(BlockId.class));
        m.addDeserializer(BlockId.class, new FromStringDeserializer<>(BlockId.class) {
            @Override
            protected BlockId _deserialize(String value, DeserializationContext ctxt) {
                return new BlockId(value);
            }
        });
        return m;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        if (bytes == null) {
            return null;
        }
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> Serde<T> serde(Class<T> type) {
        Serializer<T> ser = (topic, value) -> value == null ? null : write(value);
        Deserializer<T> de = (topic, bytes) -> read(bytes, type);
        return Serdes.serdeFrom(ser, de);
    }

    /**
     * {@link #serde} for a store read on every request but rarely written (the layout, the
     * members): the value decoded from given bytes is kept and handed out again for the same
     * bytes, so a read costs a comparison instead of a JSON parse (which was a quarter of a
     * replicated PUT's CPU on its gateway). Only for immutable values; at most {@code entries} kept.
     */
    public static <T> Serde<T> memoizingSerde(Class<T> type, int entries) {
        java.util.concurrent.ConcurrentHashMap<java.nio.ByteBuffer, T> decoded = new java.util.concurrent.ConcurrentHashMap<>();
        Serializer<T> ser = serde(type).serializer();
        Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(bytes);
            T known = decoded.get(key);
            if (known != null) {
                return known;
            }
            T value = read(bytes, type);
            if (decoded.size() >= entries) {
                decoded.clear();
            }
            decoded.put(java.nio.ByteBuffer.wrap(bytes.clone()), value);
            return value;
        };
        return Serdes.serdeFrom(ser, de);
    }
}
