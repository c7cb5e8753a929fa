package org.blockcloset.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The raw-disk baseline: one file per object in a directory on the same file system as the stores'
 * data. PUT = create, write the object's bytes through a {@link FileChannel}, {@code force(true)},
 * close. GET = open and read the file whole. No rename and no directory fsync: this is the bare
 * "bytes reach the platter" rate the issue compares against.
 */
final class RawDiskTarget implements Target {
    private static final int CHUNK = 1 << 20;

    private final Path dir;
    private final Payload payload;
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    RawDiskTarget(Path dir, Payload payload) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.payload = payload;
    }

    @Override
    public void put(String key, long id, int size) throws IOException {
        Path file = dir.resolve(key);
        Files.createDirectories(file.getParent());
        byte[] buf = buffers.get();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = 0;
            while (pos < size) {
                int n = (int) Math.min(CHUNK, size - pos);
                payload.fill(id, pos, buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                pos += n;
            }
            ch.force(true);
        }
    }

    @Override
    public void get(String key, int size) throws IOException {
        byte[] buf = buffers.get();
        long total = 0;
        try (FileChannel ch = FileChannel.open(dir.resolve(key), StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            for (int n = ch.read(bb); n >= 0; n = ch.read(bb)) {
                total += n;
                bb.clear();
            }
        }
        if (total != size) {
            throw new IOException(key + ": read " + total + " bytes, expected " + size);
        }
    }

    @Override
    public void close() {
    }
}
