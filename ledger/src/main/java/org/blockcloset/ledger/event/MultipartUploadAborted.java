package org.blockcloset.ledger.event;

public record MultipartUploadAborted(String bucket, String key, String uploadId) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
