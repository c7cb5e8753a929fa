package org.blockcloset.gateway.node;

import org.blockcloset.storage.node.PrivateFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

/**
 * The capacity and zone this node last took from its settings (BLOCKCLOSET_CAPACITY,
 * BLOCKCLOSET_ZONE), kept in {@code <data>/lent.properties}. A change made through the admin API
 * or the console is on the log; it outlives restarts until the owner changes the settings
 * themselves, and then the settings win: the last change made, either way, holds.
 */
public final class LentSettings {
    static final String FILE = "lent.properties";

    private LentSettings() {
    }

    /** True when the settings differ from those of the last start (or there was none). */
    public static boolean changedSinceLastStart(Path dataDir, long capacity, String zone) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return true;
        }
        Properties p = PrivateFile.load(file);
        return !Objects.equals(p.getProperty("capacity"), Long.toString(capacity))
                || !Objects.equals(p.getProperty("zone", ""), zone == null ? "" : zone);
    }

    public static void remember(Path dataDir, long capacity, String zone) throws IOException {
        Properties p = new Properties();
        p.setProperty("capacity", Long.toString(capacity));
        p.setProperty("zone", zone == null ? "" : zone);
        PrivateFile.store(dataDir.resolve(FILE), p, "Block Closet: the capacity and zone last taken from the settings");
    }
}
