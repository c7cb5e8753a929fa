package org.blockcloset.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release's systemd unit passes systemd-analyze verify; its scripts parse; every way of starting a node bounds the resolver alike. */
class ReleaseFilesTest {
    private static final Path RELEASE = Path.of("..", "ops", "release");

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish");
        }
        return p.exitValue() + ":" + out.trim();
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerify(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed here");
        // verify insists that ExecStart exists: point a copy of the unit at the launcher in this tree.
        Path launcher = dir.resolve("blockcloset-node");
        Files.copy(RELEASE.resolve("blockcloset-node"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String unit = Files.readString(RELEASE.resolve("blockcloset.service"))
                .replace("/opt/blockcloset/bin/blockcloset-node", launcher.toAbsolutePath().toString());
        Path copy = dir.resolve("blockcloset.service");
        Files.writeString(copy, unit);
        assertEquals("0:", run(List.of("/usr/bin/systemd-analyze", "verify", copy.toString())));
    }

    @Test
    void theScriptsParse() throws Exception {
        for (String script : List.of("install.sh", "blockcloset-node")) {
            assertEquals("0:", run(List.of("sh", "-n", RELEASE.resolve(script).toString())), script);
        }
        assertEquals("0:", run(List.of("bash", "-n", Path.of("..", "ops", "local-cluster").toString())));
        assertEquals("0:", run(List.of("bash", "-n", Path.of("..", "ops", "release-archive").toString())));
    }

    /**
     * Every way of starting a node runs it through one script (ADR 0017), which gives glibc a short resolver
     * timeout (Kafka's SASL clients look up every peer address in reverse DNS at each connection, ADR 0009: a
     * dropped query costs 1 s, not 5) and the class archive.
     */
    @Test
    void everyLauncherRunsANodeThroughOneScript() throws Exception {
        String bounded = "RES_OPTIONS:-" + org.blockcloset.gateway.it.Node.RES_OPTIONS + "}";
        assertTrue(Files.readString(RELEASE.resolve("blockcloset-node")).contains(bounded), "blockcloset-node sets " + bounded);
        assertTrue(Files.readString(RELEASE.resolve("blockcloset.service")).contains("ExecStart=/opt/blockcloset/bin/blockcloset-node"));
        for (Path launcher : List.of(Path.of("..", "ops", "blockcloset"), Path.of("..", "ops", "local-cluster"))) {
            String script = Files.readString(launcher);
            assertTrue(script.lines().anyMatch(l -> l.contains("exec ") && l.contains("ops/release/blockcloset-node") && l.endsWith(" \"$jar\"")), launcher + " runs nodes through blockcloset-node");
            assertFalse(script.lines().anyMatch(l -> l.trim().endsWith("-jar \"$jar\"")), launcher + " starts no node JVM of its own");
        }
        String bench = Files.readString(Path.of("..", "bench", "src", "main", "java", "org", "blockcloset", "bench", "ChildJvm.java"));
        assertTrue(bench.contains("\"" + org.blockcloset.gateway.it.Node.RES_OPTIONS + "\""), "ops/bench's nodes bound the resolver alike");
        assertTrue(bench.contains("ops/release/blockcloset-node"), "ops/bench's recovery probe starts the node as launchers do");
    }
}
