package org.blockcloset.storage.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.SealedBlock;

/** Helpers shared by the block store tests. */
final class TestBlocks {
    private TestBlocks() {
    }

    static byte[] random(long seed, int size) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static BlockId idOf(byte[] data) {
        return BlockId.ofDigest(DiskBlockWriter.sha256().digest(data));
    }

    /** Writes in 4 KiB pieces and seals, without waiting for durability. */
    static SealedBlock seal(BlockStore store, byte[] data) throws IOException {
        try (BlockWriter writer = store.newWriter()) {
            for (int off = 0; off < data.length; off += 4096) {
                writer.write(data, off, Math.min(4096, data.length - off));
            }
            return writer.seal();
        }
    }

    /** Seals, makes durable and releases a block, as a request whose event reached the log does. */
    static SealedBlock store(BlockStore store, byte[] data) throws IOException {
        SealedBlock block = seal(store, data);
        store.awaitDurable(List.of(block));
        store.release(List.of(block));
        return block;
    }

    static byte[] read(BlockStore store, BlockId id) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(store.maxBlockSize());
        store.read(id, buffer);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static long fileCount(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
