package org.blockcloset.gateway.object;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A node counts as stalled while a copy sent to it has gone unanswered for a second, and only then. */
class StalledReplicaTest {
    private final Placement placement = new Placement(null, "node-self", null);
    private final long later = Placement.STALLED_AFTER.toNanos() + 1;

    @Test
    void aCopyUnansweredForASecondStallsItsNodeOnly() {
        long sent = System.nanoTime();
        placement.copySent("node-paused");
        assertFalse(placement.stalled("node-paused", sent), "just sent");
        assertTrue(placement.stalled("node-paused", System.nanoTime() + later));
        assertFalse(placement.stalled("node-other", System.nanoTime() + later), "another node");
    }

    @Test
    void anAnswerEndsTheStall() {
        long first = placement.copySent("node-slow");
        long second = placement.copySent("node-slow");
        placement.copyAnswered("node-slow", first);
        assertTrue(placement.stalled("node-slow", System.nanoTime() + later), "one copy still unanswered");
        placement.copyAnswered("node-slow", second);
        assertFalse(placement.stalled("node-slow", System.nanoTime() + later), "every copy answered, failed or not");
    }
}
