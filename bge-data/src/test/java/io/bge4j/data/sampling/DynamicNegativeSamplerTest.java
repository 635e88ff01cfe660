package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DynamicNegativeSamplerTest {

    @Test
    void linearScheduleMovesFromEasyToHard() {
        RankWindowSchedule s = RankWindowSchedule.linear(RankWindow.of(100, 300), RankWindow.of(0, 100), 1000, 2000);
        assertEquals(RankWindow.of(100, 300), s.windowAt(0));
        assertEquals(RankWindow.of(100, 300), s.windowAt(1000));
        assertEquals(RankWindow.of(50, 200), s.windowAt(1500));
        assertEquals(RankWindow.of(0, 100), s.windowAt(2000));
        assertEquals(RankWindow.of(0, 100), s.windowAt(9999));
        RankWindowSchedule st = RankWindowSchedule.stages(new int[] {0, 10, 20},
                new RankWindow[] {RankWindow.of(50, 60), RankWindow.of(20, 30), RankWindow.of(2, 12)});
        assertEquals(RankWindow.of(50, 60), st.windowAt(9));
        assertEquals(RankWindow.of(20, 30), st.windowAt(10));
        assertEquals(RankWindow.of(2, 12), st.windowAt(1000));
    }

    @Test
    void refreshesOnScheduleWithTheCurrentModelAndWindow() {
        Corpus corpus = DenseNegativeMinerTest.topicCorpus();
        List<TrainingExample> ex = DenseNegativeMinerTest.topicExamples(corpus);
        DynamicNegativeSampler dyn = DynamicNegativeSampler.builder().refreshEvery(100).negativesPerQuery(4)
                .selection(Selection.TOP)
                .schedule(RankWindowSchedule.linear(RankWindow.of(150, 170), RankWindow.of(1, 21), 0, 300))
                .searcher(new BruteForceSearcher()).seed(9).build();
        assertThrows(IllegalStateException.class, () -> dyn.onStep(100, new HashingEmbedder(64)));
        SamplingResult initial = dyn.sample(ex, corpus);
        assertTrue(initial.report().sampler().startsWith("random"));
        assertFalse(dyn.isDue(99));
        assertEquals(Optional.empty(), dyn.onStep(99, new HashingEmbedder(64)));
        assertTrue(dyn.isDue(100));
        HashingEmbedder current = new HashingEmbedder(64);
        SamplingResult early = dyn.onStep(100, current).orElseThrow();
        assertEquals(1, current.corpusCalls, "the current model encoded the corpus (positives reuse its vectors)");
        // step 100 of 300: window [(150 + (1-150)/3), (170 + (21-170)/3)) = [100, 120)
        early.provenance().forEach(p -> p.forEach(s -> assertTrue(s.rank() >= 100 && s.rank() < 120, "rank " + s.rank())));
        SamplingResult late = dyn.onStep(300, new HashingEmbedder(64)).orElseThrow();
        late.provenance().forEach(p -> p.forEach(s -> assertTrue(s.rank() >= 1 && s.rank() < 21, "rank " + s.rank())));
        assertEquals(2, dyn.refreshes());
        // hard negatives score higher than the early (easy) ones
        assertTrue(mean(late) > mean(early) + 0.1, mean(late) + " vs " + mean(early));
        // a refresh at the same step with the same model is reproducible (resume)
        assertEquals(late.examples(), dyn.onStep(300, new HashingEmbedder(64)).orElseThrow().examples());
    }

    private static double mean(SamplingResult r) {
        return r.provenance().stream().flatMap(List::stream).mapToDouble(SampledNegative::score).average().orElseThrow();
    }

    @Test
    void builderValidatesMinerOptionsUpFront() {
        assertEquals("absoluteMargin must be a finite number >= 0 (or NaN for off), was -1.0", assertThrows(
                IllegalArgumentException.class, () -> DynamicNegativeSampler.builder().absoluteMargin(-1).build())
                .getMessage());
        assertEquals("refreshEvery must be at least 1 step, was 0", assertThrows(IllegalArgumentException.class,
                () -> DynamicNegativeSampler.builder().refreshEvery(0).build()).getMessage());
    }
}
