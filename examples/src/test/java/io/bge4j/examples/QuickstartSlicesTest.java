package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuickstartSlicesTest {

    @Test
    void testDevAndMiningSlicesAreDisjointAndFitThePool() {
        // default run: 6,200 distractors, 250 for test and mining each, twice the 60 dev queries for dev
        assertArrayEquals(new int[] {250, 120}, Quickstart.distractorSlices(6200, 250, 60));
        // --full: what is left after dev, split evenly between test and mining
        assertArrayEquals(new int[] {3040, 120}, Quickstart.distractorSlices(6200, -1, 60));
        // a tiny pool shrinks every slice instead of overlapping them
        assertArrayEquals(new int[] {3, 3}, Quickstart.distractorSlices(10, 250, 60));
        for (int pool = 0; pool < 50; pool++) {
            for (int req : new int[] {-1, 0, 5, 100}) {
                int[] s = Quickstart.distractorSlices(pool, req, 7);
                assertTrue(2 * s[0] + s[1] <= pool && s[0] >= 0 && s[1] >= 0, pool + " " + req);
            }
        }
    }
}
