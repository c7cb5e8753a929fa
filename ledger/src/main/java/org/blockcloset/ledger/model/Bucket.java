package org.blockcloset.ledger.model;

import java.time.Instant;

public record Bucket(String name, Instant created, String owner) {
}
