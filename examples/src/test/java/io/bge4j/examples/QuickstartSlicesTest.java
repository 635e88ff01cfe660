package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
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

    /** The default run: no document of the test or dev corpus can be mined as a training negative. */
    @Test
    void defaultRunCorporaShareNoDocument() {
        Quickstart.Options d = Quickstart.Options.defaults();
        Quickstart.Options o = new Quickstart.Options(Path.of("../data/debian-packages-en"), d.model(), d.output(),
                d.trainQueries(), d.devQueries(), d.testQueries(), d.distractors(), d.epochs(), d.batchSize(),
                d.groupSize(), d.queryMaxLength(), d.passageMaxLength(), d.learningRate(), d.evaluateEvery(), d.seed());
        Quickstart.Splits s = Quickstart.splits(o);
        Set<String> test = ids(s.testCorpus());
        Set<String> dev = ids(s.devCorpus());
        Set<String> mine = ids(s.mineCorpus());
        assertTrue(test.size() == 750 && dev.size() == 180 && mine.size() >= 570, test.size() + " " + dev.size()
                + " " + mine.size());
        for (String id : mine) {
            assertTrue(!test.contains(id) && !dev.contains(id), "mining corpus document " + id + " is also evaluated on");
        }
        for (String id : dev) {
            assertTrue(!test.contains(id), "dev document " + id + " is also a test document");
        }
        Quickstart.Splits again = Quickstart.splits(o);
        assertTrue(ids(again.testCorpus()).equals(test) && again.devIds().equals(s.devIds())
                && ids(again.mineCorpus()).equals(mine), "the same options must give the same splits");
    }

    private static Set<String> ids(Corpus c) {
        Set<String> out = new HashSet<>();
        for (CorpusDocument d : c.documents()) {
            out.add(d.id());
        }
        return out;
    }
}
