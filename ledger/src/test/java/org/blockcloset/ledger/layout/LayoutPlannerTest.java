package org.blockcloset.ledger.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.blockcloset.ledger.layout.LayoutPlanner.Member;
import org.junit.jupiter.api.Test;

class LayoutPlannerTest {
    private static final long UNIT = 1L << 30;

    private static Member m(String id, long units) {
        return new Member(id, "", units * UNIT);
    }

    /** Every partition has r distinct holders (distinct zones when asked) and nobody holds more than it lent. */
    private static void assertValid(Layout l, List<Member> ms, boolean zones) {
        assertEquals(Layout.PARTITIONS, l.partitions().size());
        for (List<String> p : l.partitions()) {
            assertEquals(l.replication(), p.size(), "holders of a partition " + p);
            assertEquals(p.size(), new HashSet<>(p).size(), "distinct holders " + p);
            if (zones) {
                Set<String> zs = new HashSet<>();
                p.forEach(n -> zs.add(ms.stream().filter(x -> x.nodeId().equals(n)).findFirst().orElseThrow().zone()));
                assertEquals(p.size(), zs.size(), "distinct zones " + p);
            }
        }
        Map<String, Integer> counts = l.counts();
        for (Member x : ms) {
            assertTrue(counts.getOrDefault(x.nodeId(), 0) * l.partitionSize() <= x.capacity(), x + " overfilled");
        }
    }

    @Test
    void workedExampleOneOneFourAtTwoHoldsTwoUnits() {
        List<Member> ms = List.of(m("a", 1), m("b", 1), m("c", 4));
        Layout l = LayoutPlanner.plan(ms, 2, Layout.EMPTY);
        assertValid(l, ms, false);
        assertEquals(2 * UNIT, LayoutPlanner.theoreticalMaximum(List.of(UNIT, UNIT, 4 * UNIT), 2));
        assertEquals(2 * UNIT, l.usableBytes(), "the theoretical maximum, not 1.5 and not 3");
        assertEquals(Map.of("a", 128, "b", 128, "c", 256), l.counts());
        System.out.printf("1+1+4 units at r=2: usable %.2f units (theoretical %.2f)%n",
                (double) l.usableBytes() / UNIT, 2.0);
    }

    @Test
    void threeEqualNodesHoldEverythingEverywhere() {
        List<Member> ms = List.of(m("a", 5), m("b", 5), m("c", 5));
        Layout l = LayoutPlanner.plan(ms, 3, Layout.EMPTY);
        assertValid(l, ms, false);
        assertEquals(5 * UNIT, l.usableBytes());
        assertEquals(Layout.EMPTY.version() + 1, l.version());
    }

    @Test
    void aFourthEqualNodeTakesAQuarterAndNothingElseMoves() {
        List<Member> three = List.of(m("a", 5), m("b", 5), m("c", 5));
        Layout before = LayoutPlanner.plan(three, 3, Layout.EMPTY);
        List<Member> four = new ArrayList<>(three);
        four.add(m("d", 5));
        Layout after = LayoutPlanner.plan(four, 3, before);
        assertValid(after, four, false);
        int moved = before.moves(after);
        double share = (double) moved / (3 * Layout.PARTITIONS);
        System.out.printf("3 -> 4 equal nodes at r=3: %d of %d partition replicas move (%.1f%%; ideal 25%%)%n",
                moved, 3 * Layout.PARTITIONS, share * 100);
        assertEquals(after.counts().get("d"), moved, "only what the new node takes moves");
        assertTrue(share >= 0.24 && share <= 0.26, "moved " + share);
        assertEquals(20 * UNIT / 3, after.usableBytes(), 2 * after.partitionSize());
        assertEquals(2, after.version());
    }

    @Test
    void removingANodeMovesOnlyWhatItHeld() {
        List<Member> four = List.of(m("a", 3), m("b", 3), m("c", 3), m("d", 3));
        Layout before = LayoutPlanner.plan(four, 2, Layout.EMPTY);
        List<Member> three = four.subList(0, 3);
        Layout after = LayoutPlanner.plan(three, 2, before);
        assertValid(after, three, false);
        assertEquals(before.counts().get("d"), before.moves(after));
    }

    @Test
    void zonesAreDistinctWithinAPartition() {
        List<Member> ms = List.of(new Member("a1", "attic", 4 * UNIT), new Member("a2", "attic", 2 * UNIT),
                new Member("b1", "basement", 3 * UNIT), new Member("c1", "closet", 3 * UNIT),
                new Member("c2", "closet", 3 * UNIT));
        Layout l = LayoutPlanner.plan(ms, 3, Layout.EMPTY);
        assertValid(l, ms, true);
        // The basement (3 units) holds one replica of everything: it bounds usable space.
        assertTrue(l.usableBytes() <= 3 * UNIT && l.usableBytes() >= 3 * UNIT - Layout.PARTITIONS, "usable " + l.usableBytes());
    }

    @Test
    void usableSpaceIsTheTheoreticalMaximumForRandomClusters() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(8);
            int r = 1 + rnd.nextInt(3);
            List<Member> ms = new ArrayList<>();
            List<Long> caps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long c = (1 + rnd.nextInt(2000)) * (UNIT / 100);
                ms.add(new Member("n" + i, "", c));
                caps.add(c);
            }
            Layout l = LayoutPlanner.plan(ms, r, Layout.EMPTY);
            assertValid(l, ms, false);
            long max = LayoutPlanner.theoreticalMaximum(caps, r);
            assertTrue(l.usableBytes() <= max, "never above the maximum");
            assertTrue(l.usableBytes() >= max * 0.97, "round " + round + ": " + l.usableBytes() + " of " + max + " " + caps + " r=" + r);
            Layout again = LayoutPlanner.plan(ms, r, l);
            assertEquals(0, l.moves(again), "an unchanged cluster keeps its layout");
        }
    }
}
