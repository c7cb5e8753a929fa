package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bootstrap key's secret is printed only to a terminal, once, when it is made; never to a log
 * or a journal (a service's output); the data directory is private to the node's user; a BLOCKCLOSET_SECRET_ACCESS_KEY
 * that does not match the recorded secret of its key is refused at start, not silently ignored.
 */
class BootstrapKeyIT {
    private static final Map<String, String> GENERATE = Map.of("BLOCKCLOSET_ACCESS_KEY_ID", "", "BLOCKCLOSET_SECRET_ACCESS_KEY", "");

    @Test
    void theGeneratedSecretNeverReachesALogAndAMismatchedSecretIsRefused(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("node");
        Node node = Node.start(data, GENERATE);
        String id;
        String secret;
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)), "the data directory is private");
            Properties p = new Properties();
            try (var in = Files.newInputStream(data.resolve("bootstrap-key.properties"))) {
                p.load(in);
            }
            id = p.getProperty("accessKeyId");
            secret = p.getProperty("secretAccessKey");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("bootstrap-key.properties"))));
            node.restart();
            String log = Files.readString(node.log());
            // The node's output goes to a file here, as a service's goes to the journal: the secret is
            // printed only to a terminal, and the banner says where to read it.
            assertEquals(0, count(log, secret), "the secret never reaches a log");
            assertTrue(log.contains("bootstrap-key.properties, readable by this node's user only"), "the banner says which file holds it");
            assertTrue(log.contains(id), "the key id is printed at every start");
        } finally {
            node.stop();
        }
        // The same key id with another secret: refused at start, with the reason.
        String wrong = secret.substring(1) + "x";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Node.start(data,
                Map.of("BLOCKCLOSET_ACCESS_KEY_ID", id, "BLOCKCLOSET_SECRET_ACCESS_KEY", wrong)));
        String msg = refused.getMessage();
        assertTrue(msg.contains("exited") && msg.contains("see "), msg);
        String failedLog = Files.readString(Path.of(msg.substring(msg.lastIndexOf("see ") + 4).trim()));
        assertTrue(failedLog.contains("BLOCKCLOSET_SECRET_ACCESS_KEY does not match"), "the refusal says why");
        assertEquals(0, count(failedLog, wrong), "the wrong secret is not printed either");
        Node again = Node.start(data, Map.of("BLOCKCLOSET_ACCESS_KEY_ID", id, "BLOCKCLOSET_SECRET_ACCESS_KEY", secret));
        again.stop();
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
