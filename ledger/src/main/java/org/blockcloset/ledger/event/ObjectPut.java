package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Precondition;

/**
 * A whole object version became the current one for its key (PutObject, CopyObject).
 *
 * @param precondition null, or the condition the key's current version must meet
 */
public record ObjectPut(ObjectVersion object, Precondition precondition) implements Event {
    public ObjectPut(ObjectVersion object) {
        this(object, null);
    }

    @Override
    public String entityKey() {
        return Keys.object(object.bucket(), object.key());
    }
}
