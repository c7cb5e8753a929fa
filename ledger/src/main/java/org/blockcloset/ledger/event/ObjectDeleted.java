package org.blockcloset.ledger.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A key or one version of it was deleted. Without a version id: the current object goes (in a
 * versioned bucket a delete marker takes its place). With one ("null" for the null version): that
 * version is removed for good, unless object lock retains it.
 *
 * @param s3VersionId      the version to remove, null for a plain delete
 * @param bypassGovernance the caller asked to bypass GOVERNANCE retention and may do so
 * @param ifWriteId        the delete applies only while its target is the write with this id (a
 *                         lifecycle rule's expiry of what it evaluated): for a plain delete the
 *                         key's current object, for a version delete that version; null: always
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectDeleted(String bucket, String key, String s3VersionId, Boolean bypassGovernance, String ifWriteId)
        implements Event {
    public ObjectDeleted(String bucket, String key) {
        this(bucket, key, null, null, null);
    }

    public ObjectDeleted(String bucket, String key, String s3VersionId, Boolean bypassGovernance) {
        this(bucket, key, s3VersionId, bypassGovernance, null);
    }

    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
