package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One whole version of an object. Immutable: an overwrite replaces the record, so a reader that
 * holds one always streams one whole version, never a mix.
 *
 * @param versionId    unique per write; lets folds recognise a replayed event
 * @param etag         quoted S3 ETag ("md5hex" or "md5hex-N" for multipart)
 * @param headers      stored system metadata: content-type, cache-control, content-disposition,
 *                     content-encoding, content-language, expires
 * @param userMetadata x-amz-meta-* (names lowercase, without the prefix)
 * @param checksums    algorithm name (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) → base64 value as S3 returns it
 * @param checksumType FULL_OBJECT or COMPOSITE, null when no checksum
 * @param partSizes    sizes of the multipart parts in order, null for a single PUT
 * @param tags         the object's tags (key → value), null when it has none
 * @param s3VersionId  the version id S3 clients see, given by the fold in log order once the bucket's
 *                     versioning is enabled; null for the "null" version (unversioned or suspended)
 * @param deleteMarker true for a delete marker (no blocks, size 0), null otherwise
 * @param lockMode     object lock retention mode (GOVERNANCE, COMPLIANCE), null when not retained
 * @param retainUntil  the end of the retention, with {@code lockMode}
 * @param legalHold    true while a legal hold is on, null otherwise
 * @param acl          the canned ACL of this version (public-read, ...); null means private
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectVersion(
        String bucket,
        String key,
        String versionId,
        long size,
        String etag,
        Instant lastModified,
        Map<String, String> headers,
        Map<String, String> userMetadata,
        Map<String, String> checksums,
        String checksumType,
        List<Long> partSizes,
        List<BlockRef> blocks,
        Map<String, String> tags,
        String s3VersionId,
        Boolean deleteMarker,
        String lockMode,
        Instant retainUntil,
        Boolean legalHold,
        String acl) {

    public ObjectVersion(String bucket, String key, String versionId, long size, String etag, Instant lastModified,
                         Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                         String checksumType, List<Long> partSizes, List<BlockRef> blocks, Map<String, String> tags) {
        this(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType, partSizes, blocks,
                tags, null, null, null, null, null, null);
    }

    /** A delete marker for a key, made by the fold when a key of a versioned bucket is deleted. */
    public static ObjectVersion deleteMarker(String bucket, String key, String versionId, Instant time, String s3VersionId) {
        return new ObjectVersion(bucket, key, versionId, 0, null, time, null, null, null, null, null, List.of(), null,
                s3VersionId, true, null, null, null, null);
    }

    /** A delete marker (not a Jackson property: the record's own {@code deleteMarker} is). */
    public boolean marksDeletion() {
        return Boolean.TRUE.equals(deleteMarker);
    }

    /** This version under the S3 version id the fold gave it (null: the "null" version). */
    public ObjectVersion withS3VersionId(String id) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType,
                partSizes, blocks, tags, id, deleteMarker, lockMode, retainUntil, legalHold, acl);
    }

    /** This version with other object lock settings (null mode: no retention; null or false hold: none). */
    public ObjectVersion withLock(String mode, Instant until, Boolean hold) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType,
                partSizes, blocks, tags, s3VersionId, deleteMarker, mode, mode == null ? null : until,
                Boolean.TRUE.equals(hold) ? Boolean.TRUE : null, acl);
    }

    /** This version with another canned ACL (null or private: private). */
    public ObjectVersion withAcl(String a) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType,
                partSizes, blocks, tags, s3VersionId, deleteMarker, lockMode, retainUntil, legalHold,
                a == null || a.equals("private") ? null : a);
    }

    /** Retention or a legal hold forbids deleting this version now (COMPLIANCE always; GOVERNANCE unless bypassed). */
    public boolean lockedAt(Instant now, boolean bypassGovernance) {
        if (Boolean.TRUE.equals(legalHold)) {
            return true;
        }
        if (lockMode == null || retainUntil == null || !retainUntil.isAfter(now)) {
            return false;
        }
        return !(bypassGovernance && "GOVERNANCE".equals(lockMode));
    }

    /** The version id as S3 shows it: "null" for the null version. */
    public String s3VersionIdOrNull() {
        return s3VersionId == null ? "null" : s3VersionId;
    }

    public ObjectVersion(String bucket, String key, String versionId, long size, String etag, Instant lastModified,
                         Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                         String checksumType, List<Long> partSizes, List<BlockRef> blocks) {
        this(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType, partSizes, blocks, null);
    }

    /** This version with other tags (null or empty: none); everything else, the version id too, as it is. */
    public ObjectVersion withTags(Map<String, String> newTags) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType,
                partSizes, blocks, newTags == null || newTags.isEmpty() ? null : new java.util.TreeMap<>(newTags), s3VersionId,
                deleteMarker, lockMode, retainUntil, legalHold, acl);
    }

    public String contentType() {
        String t = headers == null ? null : headers.get("content-type");
        return t == null ? "binary/octet-stream" : t;
    }
}
