package org.blockcloset.storage.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DirSyncerTest {
    @TempDir
    Path dir;

    @Test
    void aLoneCallerAlwaysGetsAFreshSync() throws Exception {
        DirSyncer syncer = new DirSyncer(dir);
        for (int i = 1; i <= 3; i++) {
            syncer.sync();
            assertEquals(i, syncer.completed());
        }
    }

    @Test
    @Timeout(30)
    void concurrentCallersEachWaitForASyncThatBeganAfterTheirCall() throws Exception {
        DirSyncer syncer = new DirSyncer(dir);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            results.add(threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    long before = syncer.started();
                    syncer.sync();
                    assertTrue(syncer.completed() > before, "returned on a sync that began before the call");
                }
                return null;
            }));
        }
        for (Future<?> result : results) {
            result.get();
        }
        threads.shutdown();
        assertTrue(syncer.completed() <= 400);
    }
}
