package org.blockcloset.gateway.node;

import org.blockcloset.storage.node.PrivateFile;
import org.blockcloset.ledger.seal.SecretBox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin key. Taken from the environment when given; otherwise generated once, kept in
 * {@code <data>/bootstrap-key.properties} (mode 600) and printed when it is made, not at every
 * start (the output ends up in journals). A secret from the environment that does not match the
 * one recorded for its key id is refused at start: silently keeping the old one would leave the
 * owner believing the new one works.
 */
public final class BootstrapKey {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapKey.class);
    private static final String FILE = "bootstrap-key.properties";
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** @param source where the secret is: {@code generated} (just now), {@code file}, or {@code environment} */
    public record Credentials(String accessKeyId, String secretAccessKey, String source) {
        /**
         * What a start banner may show of the secret: itself only the one time it is made, and only
         * to a terminal (a service's output ends in the journal, which others may read): else where
         * to read it.
         */
        public String secretForBanner(Path dataDir, boolean terminal) {
            return switch (source) {
                case "generated" -> terminal ? secretAccessKey + "  (shown once; kept in " + dataDir.resolve(FILE) + ")"
                        : "(in " + dataDir.resolve(FILE) + ", readable by this node's user only)";
                case "file" -> "(in " + dataDir.resolve(FILE) + ")";
                default -> "(as set in BLOCKCLOSET_SECRET_ACCESS_KEY)";
            };
        }
    }

    private BootstrapKey() {
    }

    public static Credentials ensure(Ledger ledger, SecretBox box, Path dataDir, String envId, String envSecret)
            throws IOException, LedgerUnavailableException {
        Credentials creds;
        if (envId != null && !envId.isBlank() && envSecret != null && !envSecret.isBlank()) {
            creds = new Credentials(envId.trim(), envSecret.trim(), "environment");
        } else {
            creds = loadOrGenerate(dataDir.resolve(FILE));
        }
        var existing = ledger.views().accessKey(creds.accessKeyId());
        if (existing.isEmpty()) {
            try {
                ledger.append("system", "bootstrap", new AccessKeyCreated(creds.accessKeyId(),
                        box.seal(creds.secretAccessKey(), creds.accessKeyId()), "bootstrap key", true, Instant.now(), null));
            } catch (RejectedException e) {
                LOG.warn("bootstrap key {} was created concurrently", creds.accessKeyId());
            }
        } else {
            String stored = box.secretOf(existing.get()).orElseThrow(() -> new IllegalStateException(
                    "the secret of access key " + existing.get().accessKeyId() + " cannot be opened with this node's "
                            + "cluster secret (node.properties from another cluster?)"));
            if (!stored.equals(creds.secretAccessKey())) {
                throw new IllegalStateException("BLOCKCLOSET_SECRET_ACCESS_KEY does not match the secret recorded for access key "
                        + creds.accessKeyId() + " (" + (creds.source().equals("environment") ? "from the environment"
                        : "from " + dataDir.resolve(FILE)) + "). The recorded secret stays in force: set it, or unset both "
                        + "BLOCKCLOSET_ACCESS_KEY_ID and BLOCKCLOSET_SECRET_ACCESS_KEY; to change an admin secret, create "
                        + "another admin key (POST /api/keys) and revoke this one.");
            }
        }
        return creds;
    }

    private static Credentials loadOrGenerate(Path file) throws IOException {
        if (Files.exists(file)) {
            Properties p = PrivateFile.load(file);
            return new Credentials(p.getProperty("accessKeyId"), p.getProperty("secretAccessKey"), "file");
        }
        Properties p = new Properties();
        Credentials c = new Credentials("BC" + org.blockcloset.ledger.service.AccessKeyService.random(ID_ALPHABET, 18),
                org.blockcloset.ledger.service.AccessKeyService.random(SECRET_ALPHABET, 40), "generated");
        p.setProperty("accessKeyId", c.accessKeyId());
        p.setProperty("secretAccessKey", c.secretAccessKey());
        PrivateFile.store(file, p, "Block Closet bootstrap access key");
        return c;
    }
}
