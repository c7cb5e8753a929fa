package org.blockcloset.bench;

/** Something objects are written to and read back from: a store over S3, or the raw disk. */
interface Target extends AutoCloseable {

    /** Writes object {@code id}'s bytes ({@link Payload}) under {@code key}; returns once it is acknowledged. */
    void put(String key, long id, int size) throws Exception;

    /** Reads {@code key} whole and checks that {@code size} bytes came back. */
    void get(String key, int size) throws Exception;

    @Override
    void close() throws Exception;
}
