package org.blockcloset.storage.disk;

import static org.blockcloset.storage.disk.TestBlocks.random;
import static org.blockcloset.storage.disk.TestBlocks.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.GarbageCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path dir;

    private DiskBlockStore store;
    private final Instant now = Instant.now();
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

    @BeforeEach
    void open() throws IOException {
        store = DiskBlockStore.open(new DiskBlockStore.Config(dir, 1 << 20, 64 * 1024));
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    private BlockId blockTouchedAgo(long seed, int size, Duration age) throws IOException {
        BlockId id = store(store, random(seed, size)).id();
        Files.setLastModifiedTime(store.pathOf(id), FileTime.from(now.minus(age)));
        return id;
    }

    @Test
    void deletesOnlyUnreferencedBlocksOlderThanTheGrace() throws IOException {
        BlockId referencedOld = blockTouchedAgo(1, 100, Duration.ofHours(2));
        BlockId unreferencedRecent = blockTouchedAgo(2, 200, Duration.ofMinutes(10));
        BlockId unreferencedOld = blockTouchedAgo(3, 300, Duration.ofHours(2));
        Set<BlockId> referenced = Set.of(referencedOld);

        GarbageCollector.Result result = new GarbageCollector(store, referenced::contains, GRACE, clock).runOnce();

        assertEquals(new GarbageCollector.Result(3, 1, 300), result);
        assertTrue(store.has(referencedOld));
        assertTrue(store.has(unreferencedRecent));
        assertFalse(store.has(unreferencedOld));
        assertEquals(300, store.used());
    }

    @Test
    void sparesABlockDeduplicatedDuringThePass() throws IOException {
        byte[] data = random(4, 400);
        BlockId id = blockTouchedAgo(4, 400, Duration.ofHours(2));

        GarbageCollector gc = new GarbageCollector(store, candidate -> {
            try {
                store(store, data); // another writer stores the same content between list and delete
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return false;
        }, GRACE, clock);
        GarbageCollector.Result result = gc.runOnce();

        assertEquals(0, result.deleted());
        assertTrue(store.has(id));
        assertEquals(400, store.used());
    }
}
