package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.io.IOException;

/** The block is not in this store. */
public class BlockNotFoundException extends IOException {
    private final BlockId id;

    public BlockNotFoundException(BlockId id) {
        super("block not found: " + id);
        this.id = id;
    }

    public BlockId id() {
        return id;
    }
}
