package org.blockcloset.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {
    private static final long U = 1L << 40;

    private static List<CapacityPlanner.Node> nodes(long... capacities) {
        return java.util.stream.IntStream.range(0, capacities.length)
                .mapToObj(i -> new CapacityPlanner.Node("n" + (i + 1), capacities[i], false)).toList();
    }

    @Test
    void usableSpaceIsTheClusterIssuesFormula() {
        assertEquals(2 * U, CapacityPlanner.usable(nodes(4 * U, U, U), 2), "4 + 1 + 1 at two copies hold 2, not 1.5 and not 3");
        assertEquals(U, CapacityPlanner.usable(nodes(4 * U, U, U), 3));
        assertEquals(-1, CapacityPlanner.usable(nodes(4 * U, U), 3), "three copies need three nodes");
    }

    @Test
    void eachSingleLossIsJudgedAgainstWhatIsStored() {
        List<CapacityPlanner.Loss> losses = CapacityPlanner.losses(nodes(4 * U, U, U), 2, (3 * U) / 2);
        assertFalse(losses.get(0).fits(), "without the big disk only 1 unit is usable at two copies");
        assertFalse(losses.get(1).fits(), "without a small one every block needs a copy on the other small one: 1 unit");
        assertEquals(U, losses.get(0).usableAfter());
        assertEquals(U, losses.get(1).usableAfter());
        assertTrue(CapacityPlanner.losses(nodes(4 * U, U, U), 2, U / 2).stream().allMatch(CapacityPlanner.Loss::fits));
    }

    @Test
    void theNextDiskGoesWhereItAddsMost() {
        // 4 + 1 + 1 at two copies: the small disks bind; a new 1-unit node adds 1 unit (as much as growing a small one).
        CapacityPlanner.Suggestion s = CapacityPlanner.nextDisk(nodes(4 * U, U, U), 2, U);
        assertEquals("a new node", s.where());
        assertEquals(U, s.gain());
        // Three equal nodes at three copies: growing one adds nothing; a fourth node adds a third of itself.
        CapacityPlanner.Suggestion fourth = CapacityPlanner.nextDisk(nodes(U, U, U), 3, U);
        assertEquals("a new node", fourth.where());
        assertEquals(4 * U / 3 - U, fourth.gain());
    }
}
