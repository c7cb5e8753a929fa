package org.blockcloset.ledger.event;

/** The console administrator's password changed; the log holds only its Argon2id hash. */
public record ConsolePasswordChanged(String adminUser, String passwordHash) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
