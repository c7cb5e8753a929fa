package org.blockcloset.ledger.model;

import java.time.Instant;

/**
 * A join token as the view holds it: its secret sealed with the cluster's key, its expiry, and who
 * used it.
 *
 * @param sealedSecret the token's secret part, sealed like access-key secrets (ADR 0007); a member
 *                     opens it to check a joining node's proof and to encrypt its answer
 * @param usedBy     the node that joined with it, null while unused (a token is single use)
 * @param revoked    when an admin revoked it, null if not (tokens from before revocation: null)
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record JoinToken(String tokenId, String sealedSecret, Instant expires, String createdBy, String usedBy, Instant revoked) {
    public JoinToken(String tokenId, String sealedSecret, Instant expires, String createdBy, String usedBy) {
        this(tokenId, sealedSecret, expires, createdBy, usedBy, null);
    }

    public boolean usable(Instant at) {
        return usedBy == null && revoked == null && at.isBefore(expires);
    }

    public JoinToken withRevoked(Instant at) {
        return new JoinToken(tokenId, sealedSecret, expires, createdBy, usedBy, at);
    }
}
