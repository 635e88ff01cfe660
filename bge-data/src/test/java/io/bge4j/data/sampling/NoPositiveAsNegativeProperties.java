package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class NoPositiveAsNegativeProperties {

    @Provide
    Arbitrary<SamplingFixtures.Case> cases() {
        return SamplingFixtures.cases();
    }

    /** Independent check: no negative reads like any positive; no text twice; same query and positives. */
    private static void check(SamplingFixtures.Case c, SamplingResult r, int n) {
        assertEquals(c.examples().size(), r.examples().size());
        for (int i = 0; i < r.examples().size(); i++) {
            TrainingExample in = c.examples().get(i);
            TrainingExample out = r.examples().get(i);
            assertEquals(in.query(), out.query());
            assertEquals(in.positives(), out.positives());
            Set<String> pos = new HashSet<>();
            in.positives().forEach(p -> pos.add(TextNormalizer.normalize(p)));
            Set<String> seen = new HashSet<>();
            assertTrue(out.negatives().size() <= n);
            for (String neg : out.negatives()) {
                String norm = TextNormalizer.normalize(neg);
                assertFalse(pos.contains(norm), "positive returned as negative: '" + neg + "' for " + in);
                assertTrue(seen.add(norm), "negative repeated: " + neg);
            }
            assertFalse(out.negatives().contains("stale negative"));
            // the document a negative came from is not a positive either, with or without its title
            if (!r.provenance().isEmpty()) {
                for (SampledNegative sn : r.provenance().get(i)) {
                    var doc = c.corpus().get(sn.position());
                    assertFalse(pos.contains(TextNormalizer.normalize(doc.text())),
                            "document " + doc.id() + " is a positive (by its body text) for " + in);
                    assertFalse(pos.contains(TextNormalizer.normalize(doc.fullText())));
                }
            }
        }
        long produced = r.examples().stream().mapToLong(e -> e.negatives().size()).sum();
        assertEquals(produced, r.report().negativesProduced());
        long shortCount = r.examples().stream().filter(e -> e.negatives().size() < n).count();
        assertEquals(shortCount, r.report().examplesShort());
    }

    @Property(tries = 100)
    void randomSamplerNeverReturnsAPositive(@ForAll("cases") SamplingFixtures.Case c) {
        int n = 1 + (int) Math.floorMod(c.seed(), 6L);
        SamplingResult r = RandomNegativeSampler.builder().negativesPerQuery(n).seed(c.seed()).build()
                .sample(c.examples(), c.corpus());
        check(c, r, n);
    }

    @Property(tries = 60)
    void bm25SamplerNeverReturnsAPositive(@ForAll("cases") SamplingFixtures.Case c) {
        int n = 1 + (int) Math.floorMod(c.seed(), 6L);
        SamplingResult r = Bm25NegativeSampler.builder().negativesPerQuery(n).rankWindow(0, 5).seed(c.seed())
                .selection(c.seed() % 2 == 0 ? Selection.TOP : Selection.RANDOM).threads(2).build()
                .sample(c.examples(), c.corpus());
        check(c, r, n);
    }

    @Property(tries = 100)
    void denseMinerNeverReturnsAPositive(@ForAll("cases") SamplingFixtures.Case c) {
        int n = 1 + (int) Math.floorMod(c.seed(), 6L);
        SamplingResult r = DenseNegativeMiner.builder().embedder(new HashingEmbedder(32)).rankWindow(0, 6)
                .negativesPerQuery(n).seed(c.seed()).searcher(new BruteForceSearcher()).build()
                .sample(c.examples(), c.corpus());
        check(c, r, n);
    }

    @Property(tries = 30)
    void dynamicSamplerNeverReturnsAPositive(@ForAll("cases") SamplingFixtures.Case c) {
        DynamicNegativeSampler dyn = DynamicNegativeSampler.builder().refreshEvery(2).negativesPerQuery(3)
                .schedule(RankWindowSchedule.linear(RankWindow.of(5, 20), RankWindow.of(0, 4), 0, 10))
                .searcher(new BruteForceSearcher()).seed(c.seed()).build();
        check(c, dyn.sample(c.examples(), c.corpus()), 3);
        check(c, dyn.onStep(4, new HashingEmbedder(16)).orElseThrow(), 3);
    }

    @Property(tries = 10)
    void exampleAllOfWhoseCorpusIsPositiveGetsNoNegatives(@ForAll("cases") SamplingFixtures.Case c) {
        // every corpus document as a positive: nothing may be returned, and every example is short
        List<String> all = c.corpus().fullTexts();
        List<TrainingExample> ex = List.of(TrainingExample.of("apple", all, List.of()));
        SamplingResult r = RandomNegativeSampler.builder().negativesPerQuery(3).build().sample(ex, c.corpus());
        assertEquals(List.of(), r.examples().get(0).negatives());
        assertEquals(1, r.report().examplesShort());
    }
}
