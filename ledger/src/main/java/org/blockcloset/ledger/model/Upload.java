package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A multipart upload in progress, with what CreateMultipartUpload fixed for the final object: its
 * metadata, checksum, tags and object lock.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Upload(
        String bucket,
        String key,
        String uploadId,
        Instant initiated,
        String initiator,
        Map<String, String> headers,
        Map<String, String> userMetadata,
        String checksumAlgorithm,
        String checksumType,
        Map<String, String> tags,
        String lockMode,
        Instant retainUntil,
        Boolean legalHold,
        String acl) {
    public Upload(String bucket, String key, String uploadId, Instant initiated, String initiator, Map<String, String> headers,
                  Map<String, String> userMetadata, String checksumAlgorithm, String checksumType) {
        this(bucket, key, uploadId, initiated, initiator, headers, userMetadata, checksumAlgorithm, checksumType, null, null, null, null, null);
    }
}
