package org.blockcloset.storage;

import java.io.IOException;

public class BlockNotFoundException extends IOException {
    public BlockNotFoundException(BlockId id) {
        super("block not found: " + id);
    }
}
