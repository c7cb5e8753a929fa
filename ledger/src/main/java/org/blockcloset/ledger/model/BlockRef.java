package org.blockcloset.ledger.model;

/** One block of an object's bytes, in order: its content address (hex SHA-256) and length. */
public record BlockRef(String id, long size) {
}
