package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.Part;

public record PartUploaded(String bucket, String key, String uploadId, Part part) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
