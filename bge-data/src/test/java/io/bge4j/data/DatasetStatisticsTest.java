package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class DatasetStatisticsTest {
    private static final ToIntFunction<String> WORDS = t -> t.isBlank() ? 0 : t.trim().split("\\s+").length;

    @Test
    void countsDuplicatesLengthsAndWarnings() {
        List<TrainingExample> ex = List.of(
                TrainingExample.of("a b", List.of("one two three"), List.of("x")),
                TrainingExample.of("A  B", List.of("One two three"), List.of()),          // duplicate of the first
                TrainingExample.of("c", List.of("four"), List.of("x", "five six seven eight")),
                TrainingExample.of("d e f", List.of("nine ten"), List.of()),
                new TrainingExample("g", List.of("eleven"), List.of(), List.of(1.0), null, null, null, null));
        DatasetStatistics s = DatasetStatistics.compute(ex, WORDS);
        assertEquals(5, s.examples());
        assertEquals(4, s.distinctQueries());
        assertEquals(5, s.positives());
        assertEquals(3, s.negatives());
        assertEquals(3, s.examplesWithoutNegatives());
        assertEquals(1, s.examplesWithTeacherScores());
        assertEquals(1, s.duplicateExamples());
        assertEquals(0.2, s.duplicateRate(), 1e-12);
        // query lengths 2,2,1,3,1 -> sorted 1,1,2,2,3
        assertEquals(new LengthDistribution(5, 1, 2, 3, 3, 3, 3, 1.8), s.queryTokens());
        // distinct passages: "one two three"(3) "x"(1) "four"(1) "five six seven eight"(4) "nine ten"(2) "eleven"(1)
        assertEquals(6, s.distinctPassages());
        assertEquals(new LengthDistribution(6, 1, 1, 4, 4, 4, 4, 2.0), s.passageTokens());
        assertEquals(ModelSize.BASE, s.recommendation().recommended());
        assertNull(s.recommendation().alsoWorthTrying());
        assertTrue(s.recommendation().reasons().get(0).startsWith("4 distinct examples is under ~10000"),
                s.recommendation().reasons().get(0));
        assertEquals(2, s.warnings().size());
        assertTrue(s.warnings().get(0).startsWith("3 of 5 examples (60.0%) have no negatives"), s.warnings().get(0));
        assertTrue(s.warnings().get(1).startsWith("20.0% of examples repeat"), s.warnings().get(1));
    }

    @Test
    void percentilesUseNearestRank() {
        int[] v = new int[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // 1..100 reversed
        }
        LengthDistribution d = LengthDistribution.of(v);
        assertEquals(50, d.p50());
        assertEquals(90, d.p90());
        assertEquals(95, d.p95());
        assertEquals(99, d.p99());
        assertEquals(100, d.max());
        assertEquals(50.5, d.mean(), 1e-12);
        assertEquals(new LengthDistribution(0, 0, 0, 0, 0, 0, 0, 0.0), LengthDistribution.of(new int[0]));
    }

    @Test
    void recommendationFollowsTheRuleOfThumb() {
        assertEquals(ModelSize.BASE, ModelSizeRecommendation.forExampleCount(9_999).recommended());
        ModelSizeRecommendation mid = ModelSizeRecommendation.forExampleCount(10_000);
        assertEquals(ModelSize.BASE, mid.recommended());
        assertEquals(ModelSize.LARGE, mid.alsoWorthTrying());
        ModelSizeRecommendation big = ModelSizeRecommendation.forExampleCount(100_000);
        assertEquals(ModelSize.LARGE, big.recommended());
        assertEquals(ModelSize.BASE, big.alsoWorthTrying());
        assertEquals("bge-large-en-v1.5", big.recommended().englishModel());
    }

    @Test
    void warnsWhenPassagesExceedTheModelLimit() {
        List<TrainingExample> ex = List.of(TrainingExample.of("q", List.of("a b c d e f"), List.of("n")));
        DatasetStatistics s = DatasetStatistics.compute(ex, WORDS, 4);
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().get(0).startsWith("the 95th-percentile passage is 6 tokens, over the 4-token limit"),
                s.warnings().get(0));
    }
}
