package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GradCache's length-sorted chunks: the whole batch's gradients, and less padding. */
class LengthAwareGradCacheTest {

    private static long[][] ids(int... lengths) {
        long[][] out = new long[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = new long[lengths[i]];
        }
        return out;
    }

    @Test
    void paddingCountsEachChunkAtItsOwnLongestText() {
        MicroBatch b = new MicroBatch(0, List.of("a", "b", "c"), List.of("1", "2", "3", "4", "5", "6"),
                List.of("1", "3", "5"), null, ids(2, 5, 3), ids(4, 1, 6, 2, 7, 3), null);
        // plain: queries 3 x 5, passages 6 x 7; real 10 + 23
        assertEquals(new StepStrategy.Padding(33, 57), new PlainStep().padding(b));
        // chunks of 2, sorted: queries [2,3][5] = 6 + 5 (the short chunk where it pads least), passages
        // [1,2][3,4][6,7] = 4 + 8 + 14
        assertEquals(new StepStrategy.Padding(33, 37), new GradCacheStep(2).padding(b));
        assertEquals(33 / 37.0, new GradCacheStep(2).padding(b).efficiency(), 1e-12);
    }

    @Test
    void sortedChunksGiveTheUnchunkedGradientsWithDropoutOff() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.0)) {
            Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(1)
                    .learningRate(2e-3).warmupRatio(0).maxSteps(10).seed(1).build().fit();
            Map<String, float[]> full = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet())
                    .batchSize(8).groupSize(3).seed(5).build().firstBatchGradients();
            for (int chunk : new int[] {1, 5, 7, 24}) { // 24 passages: 24 x 1, 5+5+5+5+4, 7+7+7+3, one chunk
                Map<String, float[]> cached = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet())
                        .batchSize(8).groupSize(3).seed(5).gradientCache(chunk).build().firstBatchGradients();
                double num = 0;
                double den = 0;
                for (String name : full.keySet()) {
                    float[] a = full.get(name);
                    float[] c = cached.get(name);
                    for (int i = 0; i < a.length; i++) {
                        num += (a[i] - c[i]) * (double) (a[i] - c[i]);
                        den += a[i] * (double) a[i];
                    }
                }
                assertTrue(den > 1e-6, "gradients must not be trivially zero: |g|^2 = " + den);
                double rel = Math.sqrt(num / den);
                assertTrue(rel <= 1e-4, "chunk " + chunk + ": relative error of GradCache gradients " + rel);
            }
        }
    }
}
