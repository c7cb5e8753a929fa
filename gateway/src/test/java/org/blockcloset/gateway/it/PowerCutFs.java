package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The power-cut filesystem (src/test/resources/powercut/powercut_fs.py), mounted over a backing
 * directory: it holds every write in memory until it is fsync'd, so {@link #cut()} (SIGKILL of the
 * filesystem's process) loses exactly what a machine losing power would lose.
 */
final class PowerCutFs implements AutoCloseable {
    private static final Path SCRIPT = Path.of("src", "test", "resources", "powercut", "powercut_fs.py").toAbsolutePath();
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Path dir;
    private Process fuse;

    /** Backing store, mount point and the filesystem's log under {@code dir}; not mounted yet. */
    PowerCutFs(Path dir) {
        this.dir = dir;
    }

    /** Skips the test (fails it in CI) when FUSE or python3-fusepy is missing. */
    static void assumeAvailable() {
        if (!Files.exists(Path.of("/dev/fuse")) || !Files.isExecutable(Path.of("/usr/bin/fusermount"))
                || !Files.exists(Path.of("/usr/lib/python3/dist-packages/fusepy.py"))) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the power-cut tests need /dev/fuse, fusermount and python3-fusepy (apt-get install fuse python3-fusepy)");
            }
            Assumptions.abort("FUSE or python3-fusepy is missing; skipping the power-cut test");
        }
    }

    Path mnt() {
        return dir.resolve("mnt");
    }

    private boolean mounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(mnt().toString()));
    }

    void mount() throws Exception {
        Files.createDirectories(dir.resolve("backing"));
        Files.createDirectories(mnt());
        fuse = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), dir.resolve("backing").toString(), mnt().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("fuse.log").toFile())).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!mounted()) {
            assertTrue(fuse.isAlive(), "the power-cut filesystem did not start: " + Files.readString(dir.resolve("fuse.log")));
            assertTrue(Instant.now().isBefore(deadline), "the power-cut filesystem was not mounted in 30 s");
            Thread.sleep(50);
        }
    }

    /** The filesystem's memory, every unsynced byte, is gone; call after killing the nodes on it. */
    void cut() throws Exception {
        fuse.destroyForcibly().waitFor();
        unmount();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (mounted()) {
            assertTrue(Instant.now().isBefore(deadline), "the power-cut filesystem stayed mounted");
            Thread.sleep(50);
        }
    }

    private void unmount() throws Exception {
        new ProcessBuilder("fusermount", "-uz", mnt().toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (fuse != null) {
            fuse.destroyForcibly().waitFor();
            unmount();
        }
    }
}
