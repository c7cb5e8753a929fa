package org.blockcloset.ledger.model;

import java.time.Instant;
import java.util.Map;

/**
 * What a listing shows of an object: read from the same stored record as {@link ObjectVersion}
 * but without materialising its block list (a 5 GiB object lists 5,120 blocks; a page of 1,000
 * such objects would not fit a small heap).
 */
public record ObjectSummary(String bucket, String key, long size, String etag, Instant lastModified,
                            Map<String, String> checksums, String checksumType, String s3VersionId, Boolean deleteMarker) {
    /** A delete marker (not a Jackson property: the record's own {@code deleteMarker} is). */
    public boolean marksDeletion() {
        return Boolean.TRUE.equals(deleteMarker);
    }

    public String s3VersionIdOrNull() {
        return s3VersionId == null ? "null" : s3VersionId;
    }
}
