package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A bucket as the views hold it.
 *
 * @param replication  copies of each block of its objects; null: the layout's factor (min(3, nodes)
 *                     unless BLOCKCLOSET_REPLICATION says fewer). Never more than the layout keeps.
 * @param quotaBytes   the most bytes its objects may hold together; null: no limit
 * @param quotaObjects the most objects it may hold; null: no limit
 * @param tags         the bucket's tags, null when it has none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects,
                     java.util.Map<String, String> tags) {
    public Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects) {
        this(name, created, owner, replication, quotaBytes, quotaObjects, null);
    }

    public Bucket withTags(java.util.Map<String, String> newTags) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects,
                newTags == null || newTags.isEmpty() ? null : new java.util.TreeMap<>(newTags));
    }

    public Bucket(String name, Instant created, String owner) {
        this(name, created, owner, null, null, null, null);
    }

    public Bucket(String name, Instant created, String owner, Integer replication) {
        this(name, created, owner, replication, null, null, null);
    }
}
