package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.time.Instant;

/** A stored block as listed by {@link BlockStore#list()}. */
public record BlockInfo(BlockId id, long size, Instant lastTouched) {
}
