package org.blockcloset.ledger.model;

import org.blockcloset.ledger.model.BlockId;

/** One block of an object's bytes, in order: its content address and length. In JSON the id is its hex string. */
public record BlockRef(BlockId id, long size) {
}
