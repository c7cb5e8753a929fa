package org.blockcloset.gateway.object;

import org.blockcloset.storage.care.BlockPlacement;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A node counts as stalled while a copy sent to it has gone unanswered for a second and it has
 * answered nothing else meanwhile, and only then.
 */
class StalledReplicaTest {
    private final BlockPlacement placement = new BlockPlacement(null, "node-self", null,
            org.blockcloset.storage.node.NodeIdentity.clusterPortTls(new byte[32]));
    private static final long SECOND = 1_000_000_000L;
    private static final long STALLED = BlockPlacement.STALLED_AFTER.toNanos();

    @Test
    void aCopyUnansweredForASecondStallsItsNodeOnly() {
        long t = 0;
        placement.copySent("node-paused", t);
        assertFalse(placement.stalled("node-paused", t), "just sent");
        assertTrue(placement.stalled("node-paused", t + STALLED + 1));
        assertFalse(placement.stalled("node-other", t + STALLED + 1), "another node");
    }

    @Test
    void anAnswerEndsTheStall() {
        long t = 0;
        long first = placement.copySent("node-slow", t);
        long second = placement.copySent("node-slow", t);
        placement.copyAnswered("node-slow", first, t + SECOND / 10);
        assertTrue(placement.stalled("node-slow", t + 2 * STALLED), "one copy still unanswered, nothing answered for a second");
        placement.copyAnswered("node-slow", second, t + 2 * STALLED);
        assertFalse(placement.stalled("node-slow", t + 3 * STALLED), "every copy answered, failed or not");
    }

    @Test
    void aBusyNodeThatKeepsAnsweringIsNotStalled() {
        long t = 0;
        placement.copySent("node-busy", t); // a big copy, slow to come back
        long quick = placement.copySent("node-busy", t + STALLED);
        placement.copyAnswered("node-busy", quick, t + STALLED + SECOND / 10);
        assertFalse(placement.stalled("node-busy", t + STALLED + SECOND / 5), "it answered another copy just now");
    }

    @Test
    void aTicketLeftBehindIsForgotten() {
        long t = 0;
        placement.copySent("node-lost", t);
        assertTrue(placement.stalled("node-lost", t + 2 * STALLED));
        assertFalse(placement.stalled("node-lost", t + 60 * SECOND), "long past any copy's own timeout");
    }
}
