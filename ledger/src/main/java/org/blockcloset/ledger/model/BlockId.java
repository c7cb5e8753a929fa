package org.blockcloset.ledger.model;

import java.util.HexFormat;
import java.util.Objects;

/** The address of a block: the lowercase hex SHA-256 of its bytes. */
public record BlockId(String hex) implements Comparable<BlockId> {
    public BlockId {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 64 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + hex);
        }
    }

    public static BlockId ofDigest(byte[] sha256) {
        return new BlockId(HexFormat.of().formatHex(sha256));
    }

    @Override
    public int compareTo(BlockId o) {
        return hex.compareTo(o.hex);
    }

    @Override
    public String toString() {
        return hex;
    }
}
