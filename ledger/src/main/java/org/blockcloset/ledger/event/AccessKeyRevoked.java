package org.blockcloset.ledger.event;

public record AccessKeyRevoked(String accessKeyId) implements Event {
    @Override
    public String entityKey() {
        return Keys.accessKey(accessKeyId);
    }
}
