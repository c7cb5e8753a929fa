package org.blockcloset.ledger.model;

import java.time.Instant;

/**
 * What the console's setup decided, as the view holds it.
 *
 * @param passwordHash the administrator's password as an Argon2id PHC string
 */
public record ConsoleSettings(String clusterName, String adminUser, String passwordHash, Instant setUp) {
}
