package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.ObjectVersion;

/** A whole object version became the current one for its key (PutObject, CopyObject). */
public record ObjectPut(ObjectVersion object) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(object.bucket(), object.key());
    }
}
