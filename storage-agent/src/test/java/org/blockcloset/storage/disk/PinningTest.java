package org.blockcloset.storage.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.GarbageCollector;
import org.blockcloset.storage.SealedBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sealed block is pinned until its request releases it: GC spares it however old it looks. */
class PinningTest {
    @TempDir
    Path dir;

    @Test
    void gcSparesPinnedBlocksUntilReleased() throws Exception {
        try (DiskBlockStore store = DiskBlockStore.open(new DiskBlockStore.Config(dir, 1 << 20))) {
            SealedBlock block;
            try (BlockWriter w = store.newWriter()) {
                byte[] data = "slow request".getBytes(StandardCharsets.UTF_8);
                w.write(data, 0, data.length);
                block = w.seal();
            }
            store.awaitDurable(List.of(block));
            Path file = dir.resolve("blocks").resolve(block.id().hex().substring(0, 2)).resolve(block.id().hex());
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
            GarbageCollector gc = new GarbageCollector(store, id -> false, Duration.ofMinutes(1), Clock.systemUTC());

            assertEquals(0, gc.runOnce().deleted());
            assertTrue(store.has(block.id()), "a pinned block must survive GC");

            store.release(List.of(block));
            assertEquals(1, gc.runOnce().deleted());
            assertFalse(store.has(block.id()));
        }
    }

    @Test
    void retainedOldBlocksAreSparedAndMissingOnesRefused() throws Exception {
        try (DiskBlockStore store = DiskBlockStore.open(new DiskBlockStore.Config(dir, 1 << 20))) {
            SealedBlock block = TestBlocks.store(store, "copied long ago".getBytes(StandardCharsets.UTF_8));
            Path file = dir.resolve("blocks").resolve(block.id().hex().substring(0, 2)).resolve(block.id().hex());
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
            GarbageCollector gc = new GarbageCollector(store, id -> false, Duration.ofMinutes(1), Clock.systemUTC());

            List<SealedBlock> retained = store.retain(List.of(block.id()));
            assertEquals(0, gc.runOnce().deleted(), "a retained block must survive GC");
            store.release(retained);
            assertEquals(1, gc.runOnce().deleted());

            org.junit.jupiter.api.Assertions.assertThrows(org.blockcloset.storage.BlockNotFoundException.class,
                    () -> store.retain(List.of(block.id())));
        }
    }
}
