package org.blockcloset.gateway.node;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's temporary files live in {@code <data>/jvm-tmp}, emptied at every start. The libraries
 * unpack native code there (RocksDB's ~14 MB library for the views, once per start) and delete it
 * only on a clean exit: in the shared /tmp every kill -9 or power cut would leave one behind, which
 * on a small host's root disk adds up. The data directory is the node's own (one node per data
 * directory, which a lock held for the life of the process makes sure of before anything is deleted),
 * so whatever is in jvm-tmp at start belongs to a previous run of this node.
 */
public final class NodeTempDir {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTempDir.class);

    private static FileChannel held; // the lock lives as long as the process

    private NodeTempDir() {
    }

    /** Empties {@code <data>/jvm-tmp} and makes it the JVM's temporary directory; call first thing in a start. */
    public static synchronized Path claim(Path data) throws IOException {
        Path tmp = data.resolve("jvm-tmp");
        FileChannel lock = FileChannel.open(data.resolve("jvm-tmp.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lock.tryLock() == null) {
            lock.close();
            throw new IllegalStateException("another process uses the data directory " + data);
        }
        held = lock;
        deleteUnder(tmp);
        Files.createDirectories(tmp);
        System.setProperty("java.io.tmpdir", tmp.toString());
        // The JDK reads the property once, at the first temp file; one made earlier would pin /tmp.
        File probe = File.createTempFile("probe", ".tmp");
        try {
            if (!probe.toPath().toAbsolutePath().getParent().equals(tmp.toAbsolutePath())) {
                LOG.warn("temporary files go to {} rather than {}: a temp file was made before the node claimed its own",
                        probe.getParent(), tmp);
            }
        } finally {
            Files.deleteIfExists(probe.toPath());
        }
        return tmp;
    }

    private static void deleteUnder(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> walk = Files.walk(root)) {
            stale = walk.filter(p -> !p.equals(root)).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }
}
