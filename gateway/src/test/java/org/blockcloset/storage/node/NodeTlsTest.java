package org.blockcloset.storage.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate and key files people bring (made by openssl here) and the one the node makes. */
class NodeTlsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", args) + ": " + out);
    }

    private static void requireOpenssl() {
        boolean here = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if (!here && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("openssl is missing (apt-get install openssl)");
        }
        assumeTrue(here, "openssl is not installed");
    }

    @Test
    void keysInEveryPemFormOpensslWrites() throws Exception {
        requireOpenssl();
        openssl("openssl", "genrsa", "-traditional", "-out", "rsa1.pem", "2048"); // PKCS#1
        openssl("openssl", "req", "-x509", "-key", "rsa1.pem", "-out", "rsa.crt", "-days", "2", "-subj", "/CN=nas.lan");
        openssl("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "rsa1.pem", "-out", "rsa8.pem"); // PKCS#8
        openssl("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.pem"); // SEC1, with its parameters block
        openssl("openssl", "req", "-x509", "-key", "ec.pem", "-out", "ec.crt", "-days", "2", "-subj", "/CN=nas.lan");
        for (String[] pair : new String[][] {{"rsa.crt", "rsa1.pem"}, {"rsa.crt", "rsa8.pem"}, {"ec.crt", "ec.pem"}}) {
            Optional<NodeTls> tls = NodeTls.load(dir.resolve(pair[0]).toString(), dir.resolve(pair[1]).toString(), dir.resolve("tls"), Set.of());
            assertTrue(tls.isPresent(), pair[1]);
            assertEquals("CN=nas.lan", tls.get().chain().get(0).getSubjectX500Principal().getName());
            assertTrue(tls.get().sslContext() != null);
        }
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> NodeTls.load(dir.resolve("rsa.crt").toString(), dir.resolve("ec.pem").toString(), dir.resolve("tls"), Set.of()));
        assertTrue(wrong.getMessage().contains("not the key of the certificate"), wrong.getMessage());
        IllegalArgumentException swapped = assertThrows(IllegalArgumentException.class,
                () -> NodeTls.load(dir.resolve("ec.pem").toString(), dir.resolve("ec.crt").toString(), dir.resolve("tls"), Set.of()));
        assertTrue(swapped.getMessage().contains("holds no PEM certificate"), swapped.getMessage());
    }

    @Test
    void settingsThatCannotWorkAreRefused() throws Exception {
        assertEquals(Optional.empty(), NodeTls.load("", "", dir, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> NodeTls.load("", "/some/key.pem", dir, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> NodeTls.load("/some/cert.pem", "", dir, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> NodeTls.load(NodeTls.SELF_SIGNED, "/some/key.pem", dir, Set.of()));
    }

    @Test
    void aSelfSignedCertificateIsMadeOnceForTheNodesNames() throws Exception {
        NodeTls first = NodeTls.load(NodeTls.SELF_SIGNED, "", dir, NodeTls.names("192.168.1.20", List.of("0.0.0.0"), List.of("s3.home.lan"))).orElseThrow();
        var names = first.chain().get(0).getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(names.containsAll(List.of("192.168.1.20", "s3.home.lan", "*.s3.home.lan", "localhost", "127.0.0.1")), names.toString());
        assertTrue(!names.contains("0.0.0.0"), names.toString());
        NodeTls again = NodeTls.load(NodeTls.SELF_SIGNED, "", dir, Set.of()).orElseThrow();
        assertEquals(first.fingerprint(), again.fingerprint(), "kept, not made again");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(NodeTls.SELF_SIGNED_KEY))));
    }
}
