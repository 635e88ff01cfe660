package io.bge4j.train.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeWeightsTest {

    @Test
    void softmaxOfNegativeLossHandComputed() {
        // losses 1, 2 at T=1: w = [1, e^-1] / (1 + e^-1)
        assertArrayEquals(new double[] {0.7310585786, 0.2689414214},
                MergeWeights.softmaxOfNegative(new double[] {1, 2}, 1), 1e-9);
        // losses .5, 1, 1.5 at T=5: w ∝ [1, e^-0.1, e^-0.2] = [1, 0.904837418, 0.818730753], sum 2.723568171
        assertArrayEquals(new double[] {0.3671654, 0.3322249, 0.3006096},
                MergeWeights.softmaxOfNegative(new double[] {0.5, 1.0, 1.5}, 5), 1e-6);
        // equal losses: equal weights; huge losses do not overflow
        assertArrayEquals(new double[] {0.5, 0.5}, MergeWeights.softmaxOfNegative(new double[] {1e6, 1e6}, 0.01), 0);
        assertThrows(IllegalArgumentException.class, () -> MergeWeights.softmaxOfNegative(new double[] {1}, 0));
    }

    /**
     * Two examples, one negative each, τ = 1. Vectors: q1 = p1+ = p2− = (1,0); q2 = p2+ = p1− = (0,1).
     * Passages [p1+, p1−, p2+, p2−]: q1 scores [1,0,0,1], target 0; q2 scores [0,1,1,0], target 2. Each loss is
     * log(2e + 2) − 1.
     */
    @Test
    void infoNceLossHandComputed() {
        Embedder e = new TableEmbedder(Map.of("q1", new float[] {1, 0}, "q2", new float[] {0, 1}, "d1", new float[] {2, 0},
                "d2", new float[] {0, 3}));
        List<TrainingExample> ex = List.of(TrainingExample.of("q1", List.of("d1"), List.of("d2")),
                TrainingExample.of("q2", List.of("d2"), List.of("d1")));
        double expected = Math.log(2 * Math.E + 2) - 1; // 1.0065...
        assertEquals(expected, ExampleLoss.infoNce(e, ex, 2, 1, 1.0), 1e-9);
        // one example per batch: passages [d1, d2]; q1 scores [1, 0] → log(1 + e^-1); same for q2
        assertEquals(Math.log(1 + Math.exp(-1)), ExampleLoss.infoNce(e, ex, 1, 1, 1.0), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ExampleLoss.infoNce(e, ex, 2, 2, 1.0));
    }

    @Test
    void weightsFromExamplesFollowTheLosses() {
        Embedder good = new TableEmbedder(Map.of("q1", new float[] {1, 0}, "q2", new float[] {0, 1},
                "d1", new float[] {1, 0}, "d2", new float[] {0, 1}));
        Embedder bad = new TableEmbedder(Map.of("q1", new float[] {0, 1}, "q2", new float[] {1, 0},
                "d1", new float[] {1, 0}, "d2", new float[] {0, 1}));
        List<TrainingExample> ex = List.of(TrainingExample.of("q1", List.of("d1"), List.of("d2")),
                TrainingExample.of("q2", List.of("d2"), List.of("d1")));
        MergeWeights w = MergeWeights.fromExamples(List.of(good, bad), ex, 5.0, 1, 1);
        // τ = 0.05: good loss log(1 + e^-20), bad loss 20 + log(1 + e^-20)
        double lg = Math.log(1 + Math.exp(-20));
        assertEquals(lg, w.losses().get(0), 1e-9);
        assertEquals(20 + lg, w.losses().get(1), 1e-9);
        double w0 = 1 / (1 + Math.exp(-4)); // softmax(-[lg, 20+lg]/5)
        assertEquals(w0, w.weights().get(0), 1e-9);
        assertEquals(1 - w0, w.weights().get(1), 1e-9);
        assertTrue(w.description().contains("T=5.0"), w.description());
    }

    /** Vectors from a table, for hand-computed losses. */
    static final class TableEmbedder implements Embedder {
        private final Map<String, float[]> table;

        TableEmbedder(Map<String, float[]> table) {
            this.table = table;
        }

        @Override
        public float[][] encodeQueries(List<String> queries) {
            return encode(queries);
        }

        @Override
        public float[][] encodeCorpus(List<String> documents) {
            return encode(documents);
        }

        @Override
        public float[][] encode(List<String> texts) {
            return texts.stream().map(t -> table.get(t).clone()).toArray(float[][]::new);
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public String fingerprint() {
            return "table";
        }

        @Override
        public void close() {}
    }
}
