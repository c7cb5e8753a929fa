package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A bucket as the views hold it.
 *
 * @param replication copies of each block of its objects; null: the layout's factor (min(3, nodes)
 *                    unless BLOCKCLOSET_REPLICATION says fewer). Never more than the layout keeps.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Bucket(String name, Instant created, String owner, Integer replication) {
    public Bucket(String name, Instant created, String owner) {
        this(name, created, owner, null);
    }
}
