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
        Map<String, String> tags) {

    public ObjectVersion(String bucket, String key, String versionId, long size, String etag, Instant lastModified,
                         Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> checksums,
                         String checksumType, List<Long> partSizes, List<BlockRef> blocks) {
        this(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType, partSizes, blocks, null);
    }

    /** This version with other tags (null or empty: none); everything else, the version id too, as it is. */
    public ObjectVersion withTags(Map<String, String> newTags) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, headers, userMetadata, checksums, checksumType,
                partSizes, blocks, newTags == null || newTags.isEmpty() ? null : new java.util.TreeMap<>(newTags));
    }

    public String contentType() {
        String t = headers == null ? null : headers.get("content-type");
        return t == null ? "binary/octet-stream" : t;
    }
}
