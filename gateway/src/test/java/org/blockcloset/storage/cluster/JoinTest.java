package org.blockcloset.storage.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The join's cryptography as both sides run it (the servlet and the client call these same functions). */
class JoinTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void theProofBindsTheJoinersKeyAndOnlyTheTwoEphemeralKeysOpenTheAnswer() {
        Join.Token token = Join.Token.random();
        byte[] body = "{\"nodeId\":\"node-new\"}".getBytes(StandardCharsets.UTF_8);
        KeyPair joiner = Join.ephemeral();
        String joinerKey = Join.text(joiner.getPublic());
        String time = Long.toString(NOW.getEpochSecond());
        String proof = Join.proof(token.secret(), NOW.getEpochSecond(), body, joinerKey);
        assertTrue(Join.verify(token.secret(), time, proof, body, joinerKey, NOW));
        String otherKey = Join.text(Join.ephemeral().getPublic());
        assertFalse(Join.verify(token.secret(), time, proof, body, otherKey, NOW), "a key swapped on the way breaks the proof");
        assertFalse(Join.verify(token.secret(), time, proof, body, null, NOW), "no key, no join");

        // The member's side.
        KeyPair member = Join.ephemeral();
        String memberKey = Join.text(member.getPublic());
        String sealed = Join.answerBox(token.secret(), member.getPrivate(), joinerKey, joinerKey, memberKey).seal("the cluster secret", token.id());
        // The joiner's side.
        assertEquals(Optional.of("the cluster secret"),
                Join.answerBox(token.secret(), joiner.getPrivate(), memberKey, joinerKey, memberKey).open(sealed, token.id()));

        // Someone who recorded the join and learns the token later holds neither private key.
        KeyPair guess = Join.ephemeral();
        assertEquals(Optional.empty(), Join.answerBox(token.secret(), guess.getPrivate(), memberKey, joinerKey, memberKey).open(sealed, token.id()));
        assertEquals(Optional.empty(), Join.answerBox(token.secret(), guess.getPrivate(), joinerKey, joinerKey, memberKey).open(sealed, token.id()));
        // And the private keys without the token open nothing either.
        assertEquals(Optional.empty(), Join.answerBox(Join.Token.random().secret(), joiner.getPrivate(), memberKey, joinerKey, memberKey)
                .open(sealed, token.id()));

        assertThrows(IllegalArgumentException.class, () -> Join.answerBox(token.secret(), member.getPrivate(), "bm90IGEga2V5", joinerKey, memberKey));
    }
}
