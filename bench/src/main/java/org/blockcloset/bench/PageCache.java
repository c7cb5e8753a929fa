package org.blockcloset.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Flushing and dropping the OS page cache between rows. {@code sync} before every row keeps one
 * row's write-back (S3Proxy never fsyncs) out of the next; dropping the cache before a GET row makes
 * every target read from the disk rather than copy what it just wrote from memory. Dropping needs
 * root (Linux {@code /proc/sys/vm/drop_caches}); without it GETs are warm, and the output says so.
 */
final class PageCache {
    private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

    private final boolean cold;

    private PageCache(boolean cold) {
        this.cold = cold;
    }

    /** Cold GETs when asked for and permitted. */
    static PageCache open(boolean wantCold) {
        return new PageCache(wantCold && drop());
    }

    boolean coldGets() {
        return cold;
    }

    String describe() {
        return cold ? "GETs cold (page cache dropped before each GET row)"
                : "GETs warm (page cache not dropped: data read back from memory)";
    }

    /** Called before every row. */
    void beforeRow(Workload w) throws InterruptedException {
        sync();
        if (cold && w.op() == Workload.Op.GET) {
            drop();
        }
    }

    private static void sync() throws InterruptedException {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException noSync) {
            // not on a POSIX system: rows are then less isolated
        }
    }

    private static boolean drop() {
        try {
            Files.writeString(DROP, "3");
            return true;
        } catch (IOException | SecurityException notPermitted) {
            return false;
        }
    }
}
