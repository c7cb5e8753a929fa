package org.blockcloset.ledger.event;

/**
 * The console's first-run setup: the cluster got its name and its console administrator. The log
 * holds only the password's Argon2id hash (PHC string), never the password. Only the first such
 * event applies; a second setup (two nodes set up at once) is refused in log order.
 */
public record ConsoleSetUp(String clusterName, String adminUser, String passwordHash) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
