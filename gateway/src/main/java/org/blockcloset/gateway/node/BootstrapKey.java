package org.blockcloset.gateway.node;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Properties;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.model.AccessKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin key. Taken from the environment when given; otherwise generated once, kept in
 * {@code <data>/bootstrap-key.properties} (mode 600) and printed at every start.
 */
public final class BootstrapKey {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapKey.class);
    private static final String FILE = "bootstrap-key.properties";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public record Credentials(String accessKeyId, String secretAccessKey) {
    }

    private BootstrapKey() {
    }

    public static Credentials ensure(Ledger ledger, Path dataDir, String envId, String envSecret)
            throws IOException, LedgerUnavailableException {
        Credentials creds;
        if (envId != null && !envId.isBlank() && envSecret != null && !envSecret.isBlank()) {
            creds = new Credentials(envId.trim(), envSecret.trim());
        } else {
            creds = loadOrGenerate(dataDir.resolve(FILE));
        }
        var existing = ledger.views().accessKey(creds.accessKeyId());
        if (existing.isEmpty()) {
            try {
                ledger.append("system", "bootstrap", new AccessKeyCreated(creds.accessKeyId(), creds.secretAccessKey(),
                        "bootstrap key", true, Instant.now()));
            } catch (RejectedException e) {
                LOG.warn("bootstrap key {} was created concurrently", creds.accessKeyId());
            }
        } else if (!existing.get().secretKey().equals(creds.secretAccessKey())) {
            LOG.warn("access key {} already exists with another secret; the stored secret stays in force",
                    creds.accessKeyId());
            creds = new Credentials(creds.accessKeyId(), existing.map(AccessKey::secretKey).orElseThrow());
        }
        return creds;
    }

    private static Credentials loadOrGenerate(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            return new Credentials(p.getProperty("accessKeyId"), p.getProperty("secretAccessKey"));
        }
        Credentials c = new Credentials("BC" + random(ID_ALPHABET, 18), random(SECRET_ALPHABET, 40));
        p.setProperty("accessKeyId", c.accessKeyId());
        p.setProperty("secretAccessKey", c.secretAccessKey());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Block Closet bootstrap access key");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return c;
    }

    static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
