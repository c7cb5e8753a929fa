package org.blockcloset.storage.disk;

import static org.blockcloset.storage.disk.TestBlocks.idOf;
import static org.blockcloset.storage.disk.TestBlocks.random;
import static org.blockcloset.storage.disk.TestBlocks.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.SealedBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DiskBlockStoreConcurrencyTest {
    private static final int THREADS = 16;
    private static final int BLOCKS_PER_THREAD = 50;
    /** Thread t writes pool entries [t * STRIDE, t * STRIDE + 50): neighbours overlap, so they race on dedupe. */
    private static final int STRIDE = 37;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void concurrentWritersAllEndUpReadable() throws Exception {
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < (THREADS - 1) * STRIDE + BLOCKS_PER_THREAD; i++) {
            pool.add(random(i, 1 + (i * 997) % 8192));
        }

        try (DiskBlockStore store = DiskBlockStore.open(new DiskBlockStore.Config(dir, 64L << 20, 16 * 1024))) {
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t * STRIDE;
                results.add(threads.submit(() -> {
                    List<SealedBlock> batch = new ArrayList<>();
                    for (int i = first; i < first + BLOCKS_PER_THREAD; i++) {
                        batch.add(TestBlocks.seal(store, pool.get(i)));
                        if (batch.size() == 5) {
                            store.awaitDurable(batch);
                            batch.clear();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
            threads.shutdown();

            Set<BlockId> expected = pool.stream().map(TestBlocks::idOf).collect(Collectors.toCollection(TreeSet::new));
            try (Stream<BlockInfo> blocks = store.list()) {
                assertEquals(expected, blocks.map(BlockInfo::id).collect(Collectors.toCollection(TreeSet::new)));
            }
            assertEquals(pool.stream().mapToLong(b -> b.length).sum(), store.used(), "each distinct block counted once");
            for (byte[] data : pool) {
                assertArrayEquals(data, read(store, idOf(data)));
            }
        }
    }
}
