package org.blockcloset.storage.disk;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Group commit of one directory's fsync. A caller needs a sync that <em>started</em> after its
 * call (hence after its renames); one such sync serves every caller waiting at that time.
 * Invariant: {@code completed <= started}, and generation {@code g} covers every rename that
 * happened before sync {@code g} began.
 */
final class DirSyncer {
    private final Path dir;
    private long started;
    private long completed;
    private boolean running;

    DirSyncer(Path dir) {
        this.dir = dir;
    }

    /** Returns once a directory fsync that began after this call has completed. */
    void sync() throws IOException {
        long needed;
        synchronized (this) {
            needed = started + 1;
        }
        while (true) {
            long generation;
            synchronized (this) {
                while (running && completed < needed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted awaiting directory sync of " + dir);
                    }
                }
                if (completed >= needed) {
                    return;
                }
                running = true;
                generation = ++started;
            }
            boolean ok = false;
            try {
                fsyncDirectory(dir);
                ok = true;
            } finally {
                synchronized (this) {
                    running = false;
                    if (ok) {
                        completed = generation;
                    }
                    notifyAll();
                }
            }
        }
    }

    /** Syncs begun so far. */
    synchronized long started() {
        return started;
    }

    /** Generation of the latest successful sync. */
    synchronized long completed() {
        return completed;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
