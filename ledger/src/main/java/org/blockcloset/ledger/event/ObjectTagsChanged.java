package org.blockcloset.ledger.event;

import java.util.Map;

/**
 * A client set (or, with null, removed) the tags of an object's current version. Refused when the
 * object is gone, or when {@code versionId} no longer names its current version (it was overwritten
 * meanwhile: the tags were meant for the older one).
 */
public record ObjectTagsChanged(String bucket, String key, String versionId, Map<String, String> tags) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
