package org.blockcloset.storage.disk;

import static org.blockcloset.storage.disk.TestBlocks.fileCount;
import static org.blockcloset.storage.disk.TestBlocks.idOf;
import static org.blockcloset.storage.disk.TestBlocks.random;
import static org.blockcloset.storage.disk.TestBlocks.read;
import static org.blockcloset.storage.disk.TestBlocks.seal;
import static org.blockcloset.storage.disk.TestBlocks.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.InsufficientStorageException;
import org.blockcloset.storage.SealedBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiskBlockStoreTest {
    private static final int MAX = 256 * 1024;

    @TempDir
    Path dir;

    private DiskBlockStore store;

    private DiskBlockStore open(long capacity, int maxBlockSize) throws IOException {
        store = DiskBlockStore.open(new DiskBlockStore.Config(dir, capacity, maxBlockSize));
        return store;
    }

    @AfterEach
    void closeStore() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4097, MAX})
    void roundTripsBlocksOfEverySize(int size) throws IOException {
        open(10 * MAX, MAX);
        byte[] data = random(size, size);

        SealedBlock block = store(store, data);

        assertEquals(idOf(data), block.id());
        assertTrue(block.created());
        assertEquals(size, block.size());
        assertTrue(Files.isRegularFile(dir.resolve("blocks").resolve(block.id().hex().substring(0, 2)).resolve(block.id().hex())));
        assertTrue(store.has(block.id()));
        assertEquals(size, store.size(block.id()));
        assertEquals(size, store.used());
        assertArrayEquals(data, read(store, block.id()));
        assertEquals(0, fileCount(dir.resolve("tmp")));
    }

    @Test
    void createsTheFanOutDirectoriesAtOpen() throws IOException {
        open(MAX, MAX);
        try (Stream<Path> dirs = Files.list(dir.resolve("blocks"))) {
            assertEquals(256, dirs.filter(Files::isDirectory).count());
        }
        assertTrue(Files.isDirectory(dir.resolve("blocks/00")) && Files.isDirectory(dir.resolve("blocks/ff")));
    }

    @Test
    void storesIdenticalContentOnceAndTouchesIt() throws IOException {
        open(10 * MAX, MAX);
        byte[] data = random(1, 10_000);
        SealedBlock first = store(store, data);
        Path file = store.pathOf(first.id());
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Files.setLastModifiedTime(file, old);

        SealedBlock second = store(store, data);

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.id(), second.id());
        assertEquals(1, fileCount(dir.resolve("blocks")));
        assertEquals(data.length, store.used());
        assertTrue(Files.getLastModifiedTime(file).compareTo(old) > 0, "dedupe must refresh the mtime GC looks at");
    }

    @Test
    void dedupesAgainstABlockStillBeingPlaced() throws IOException {
        open(10 * MAX, MAX);
        byte[] data = random(2, 50_000);

        SealedBlock first = seal(store, data);
        SealedBlock second = seal(store, data);
        store.awaitDurable(List.of(first, second));

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(data.length, store.used());
        assertArrayEquals(data, read(store, first.id()));
    }

    @Test
    void refusesWritesBeyondCapacityAndLeavesNothingBehind() throws IOException {
        open(100 * 1024, 1024 * 1024);
        store(store, random(3, 10 * 1024));
        long before = store.used();
        byte[] big = random(4, 150 * 1024);

        BlockWriter writer = store.newWriter();
        assertThrows(InsufficientStorageException.class, () -> {
            for (int off = 0; off < big.length; off += 4096) {
                writer.write(big, off, 4096);
            }
        });
        writer.close();

        assertEquals(before, store.used());
        assertEquals(0, fileCount(dir.resolve("tmp")));
        assertEquals(1, fileCount(dir.resolve("blocks")));
    }

    @Test
    void fillsCapacityExactly() throws IOException {
        open(100 * 1024, 1024 * 1024);
        store(store, random(5, 10 * 1024));

        SealedBlock rest = store(store, random(6, 90 * 1024));

        assertEquals(100 * 1024, store.used());
        assertEquals(0, store.free());
        assertThrows(InsufficientStorageException.class, () -> store(store, random(7, 1)));
        assertEquals(100 * 1024, store.used());
        assertTrue(store.has(rest.id()));
    }

    @Test
    void abortedWriterReleasesItsReservation() throws IOException {
        open(MAX, MAX);
        BlockWriter writer = store.newWriter();
        writer.write(new byte[1000], 0, 1000);
        assertTrue(store.used() >= 1000);

        writer.close();

        assertEquals(0, store.used());
        assertEquals(0, fileCount(dir.resolve("tmp")));
    }

    @Test
    void writerRefusesToGrowPastMaxBlockSize() throws IOException {
        open(10 * 1024, 1024);
        try (BlockWriter writer = store.newWriter()) {
            writer.write(new byte[1000], 0, 1000);
            assertThrows(IllegalStateException.class, () -> writer.write(new byte[25], 0, 25));
            assertEquals(1000, writer.size());
            writer.write(new byte[24], 0, 24);

            SealedBlock block = writer.seal();
            store.awaitDurable(List.of(block));
            assertEquals(1024, store.size(block.id()));
        }
        try (BlockWriter writer = store.newWriter()) {
            assertThrows(IllegalStateException.class, () -> writer.write(new byte[1025], 0, 1025));
        }
    }

    @Test
    void detectsCorruptionOnDisk() throws IOException {
        open(10 * MAX, MAX);
        SealedBlock block = store(store, random(8, 5000));
        try (FileChannel ch = FileChannel.open(store.pathOf(block.id()), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, 1234);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, 1234);
        }
        ByteBuffer dst = ByteBuffer.allocate(MAX);

        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> store.read(block.id(), dst));

        assertEquals(block.id(), e.id());
        assertEquals(0, dst.remaining());
    }

    @Test
    void reportsMissingBlocksAndSmallBuffers() throws IOException {
        open(10 * MAX, MAX);
        BlockId absent = idOf(new byte[] {42});
        assertThrows(BlockNotFoundException.class, () -> store.read(absent, ByteBuffer.allocate(16)));
        assertFalse(store.has(absent));
        assertEquals(-1, store.size(absent));
        assertFalse(store.delete(absent));

        SealedBlock block = store(store, random(9, 100));
        assertThrows(IllegalArgumentException.class, () -> store.read(block.id(), ByteBuffer.allocate(99)));
    }

    @Test
    void deleteFreesSpace() throws IOException {
        open(10 * MAX, MAX);
        SealedBlock keep = store(store, random(10, 300));
        SealedBlock drop = store(store, random(11, 700));

        assertTrue(store.delete(drop.id()));

        assertFalse(store.has(drop.id()));
        assertTrue(store.has(keep.id()));
        assertEquals(300, store.used());
    }

    @Test
    void discardDropsCreatedBlocksUnlessSomeoneDedupedAgainstThem() throws IOException {
        open(10 * MAX, MAX);
        byte[] shared = random(12, 2000);
        byte[] alone = random(13, 3000);
        SealedBlock sharedBlock = seal(store, shared);
        SealedBlock aloneBlock = seal(store, alone);
        SealedBlock otherWriter = store(store, shared);

        store.discard(List.of(sharedBlock, aloneBlock));
        store.discard(List.of(otherWriter));

        assertFalse(otherWriter.created());
        assertTrue(store.has(sharedBlock.id()), "another writer relies on the shared block");
        assertFalse(store.has(aloneBlock.id()));
        assertEquals(shared.length, store.used());
    }

    @Test
    void reopenRestoresBlocksAndUsageAndCleansTempFiles() throws IOException {
        open(10 * MAX, MAX);
        Set<BlockId> ids = Set.of(
                store(store, random(14, 100)).id(),
                store(store, random(15, 20_000)).id(),
                store(store, random(16, 0)).id());
        long used = store.used();
        store.close();
        Files.write(dir.resolve("tmp").resolve("stale.tmp"), new byte[1234]);

        open(10 * MAX, MAX);

        try (Stream<BlockInfo> blocks = store.list()) {
            assertEquals(ids, blocks.map(BlockInfo::id).collect(Collectors.toSet()));
        }
        assertEquals(used, store.used());
        assertEquals(0, fileCount(dir.resolve("tmp")));
        for (BlockId id : ids) {
            assertEquals(store.size(id), read(store, id).length);
        }
    }

    @Test
    void refusesASecondStoreOnTheSameDirectory() throws IOException {
        open(MAX, MAX);
        assertThrows(IOException.class, () -> DiskBlockStore.open(new DiskBlockStore.Config(dir, MAX, MAX)));
        assertTrue(store.has(store(store, random(17, 10)).id()));
    }
}
