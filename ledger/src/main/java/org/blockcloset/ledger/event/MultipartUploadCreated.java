package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.Upload;

public record MultipartUploadCreated(Upload upload) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(upload.bucket(), upload.key());
    }
}
