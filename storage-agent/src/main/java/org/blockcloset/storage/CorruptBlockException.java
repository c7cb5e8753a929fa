package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.io.IOException;

/** The bytes on disk do not hash to the block's id. The block must not be served. */
public class CorruptBlockException extends IOException {
    private final BlockId id;

    public CorruptBlockException(BlockId id, String detail) {
        super("corrupt block " + id + ": " + detail);
        this.id = id;
    }

    public BlockId id() {
        return id;
    }
}
