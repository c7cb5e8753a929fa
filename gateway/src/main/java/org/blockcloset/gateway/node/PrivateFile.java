package org.blockcloset.gateway.node;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/** Secrets the node keeps on disk: properties files readable by the node's user only (0600). */
final class PrivateFile {
    private PrivateFile() {
    }

    static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }

    /** Writes {@code p} to {@code file} atomically, created 0600 before any secret is in it. */
    static void store(Path file, Properties p, String comment) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, comment);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
