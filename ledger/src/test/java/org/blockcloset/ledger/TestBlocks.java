package org.blockcloset.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.blockcloset.ledger.model.BlockId;

/** Readable block ids for tests: a label stands for the id of a block whose bytes are the label. */
public final class TestBlocks {
    private TestBlocks() {
    }

    private static final java.util.Map<String, String> LABELS = new java.util.concurrent.ConcurrentHashMap<>();

    public static BlockId id(String label) {
        try {
            BlockId id = BlockId.ofDigest(MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8)));
            LABELS.put(id.hex(), label);
            return id;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The label an id was made from by {@link #id}, or the hex itself. */
    public static String label(String hex) {
        return LABELS.getOrDefault(hex, hex);
    }
}
