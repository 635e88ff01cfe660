package io.bge4j.data.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchComposerTest {

    @Test
    void examplesSharingAPositiveAreDeferredToSeparateBatches() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ex.add(TrainingExample.of("q" + i, List.of("shared passage"), List.of("n" + i)));
        }
        for (int i = 4; i < 12; i++) {
            ex.add(TrainingExample.of("q" + i, List.of("p" + i), List.of("n" + i)));
        }
        BatchPlan plan = BatchComposer.builder().batchSize(3).shuffle(false).build().compose(ex, 0);
        assertEquals(4, plan.batches().size());
        for (Batch b : plan.batches()) {
            assertEquals(3, b.size());
            assertEquals(1, b.examples().stream().filter(e -> e.positives().contains("shared passage")).count());
        }
        assertEquals(3, plan.report().deferredExamples());
        assertEquals(0, plan.report().incompleteBatches());
    }

    @Test
    void removesNegativesThatAreAPositiveWithTheirScores() {
        TrainingExample e = new TrainingExample("q", List.of("P", "p "), List.of("n", "p", "N", "m"), List.of(1.0, 2.0),
                List.of(0.1, 0.2, 0.3, 0.4), null, null, null);
        BatchPlan plan = BatchComposer.builder().batchSize(1).build().compose(List.of(e), 0);
        TrainingExample cleaned = plan.batches().get(0).examples().get(0);
        assertEquals(List.of("P"), cleaned.positives());
        assertEquals(List.of(1.0), cleaned.positiveScores());
        assertEquals(List.of("n", "m"), cleaned.negatives());
        assertEquals(List.of(0.1, 0.4), cleaned.negativeScores());
        assertEquals(2, plan.report().duplicatePassagesRemoved());
        assertEquals(1, plan.report().negativesRemovedAsPositive());
    }

    @Test
    void lengthBucketingGroupsSimilarLengths() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            int len = 1 + (i * 37) % 256;
            ex.add(TrainingExample.of("q" + i, List.of("x".repeat(len) + i), List.of()));
        }
        double bucketed = meanSpread(BatchComposer.builder().batchSize(16).lengthBucketing(String::length).build()
                .compose(ex, 0));
        double mixed = meanSpread(BatchComposer.builder().batchSize(16).build().compose(ex, 0));
        assertTrue(bucketed < 20, "bucketed spread " + bucketed);
        assertTrue(mixed > 150, "unbucketed spread " + mixed);
    }

    private static double meanSpread(BatchPlan plan) {
        return plan.batches().stream().mapToInt(b -> {
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (TrainingExample e : b.examples()) {
                min = Math.min(min, e.positives().get(0).length());
                max = Math.max(max, e.positives().get(0).length());
            }
            return max - min;
        }).average().orElseThrow();
    }

    @Test
    void epochsDifferButAreReproducible() {
        List<TrainingExample> ex = BatchComposerProperties.examples(5, 60);
        BatchComposer c = BatchComposer.builder().batchSize(4).seed(1).build();
        assertEquals(c.compose(ex, 1), c.compose(ex, 1));
        assertNotEquals(c.compose(ex, 1).batches(), c.compose(ex, 2).batches());
    }

    @Test
    void builderNamesBadOptions() {
        assertEquals("batchSize must be at least 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> BatchComposer.builder().batchSize(0).build()).getMessage());
    }
}
