package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Precondition;

/**
 * The upload became the object's current version. {@code object} lists exactly the blocks of the
 * parts the client named; blocks of parts it left out lose their references with the upload.
 */
public record MultipartUploadCompleted(String uploadId, ObjectVersion object, Precondition precondition)
        implements Event {
    public MultipartUploadCompleted(String uploadId, ObjectVersion object) {
        this(uploadId, object, null);
    }

    @Override
    public String entityKey() {
        return Keys.object(object.bucket(), object.key());
    }
}
