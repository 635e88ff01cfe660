package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthChunksTest {

    @Test
    void handComputedChunksAndEfficiency() {
        // lengths 8,12,11,11,7 in chunks of 4: in the given order [8,12,11,11][7] pads to 4*12 + 7 = 55;
        // sorted 7,8,11,11,12 with the short chunk last: [7,8,11,11][12] = 44 + 12 = 56; with it first:
        // [7][8,11,11,12] = 7 + 48 = 55 -> chosen (ties keep the first placement found)
        int[] lengths = {8, 12, 11, 11, 7};
        LengthChunks p = LengthChunks.byCount(lengths, 4);
        assertEquals(2, p.chunks().size());
        assertArrayEquals(new int[] {4}, p.chunks().get(0));
        assertArrayEquals(new int[] {0, 2, 3, 1}, p.chunks().get(1));
        assertEquals(49, p.realTokens());
        assertEquals(55, p.processedTokens());
        assertEquals(49.0 / 55, p.paddingEfficiency(), 1e-12);
        assertEquals(49.0 / 55, LengthChunks.unsortedEfficiency(lengths, 4), 1e-12);
        assertArrayEquals(new int[] {4, 0, 2, 3, 1}, p.order());
        assertArrayEquals(new int[] {1, 4, 2, 3, 0}, p.inverse());
    }

    @Test
    void handComputedTokenBudget() {
        // sorted 3,5,9,10,20; budget 20: [3,5] (3*9=27 > 20 stops before 9), [9,10] (3*20 > 20), [20]
        LengthChunks p = LengthChunks.byTokenBudget(new int[] {10, 3, 20, 5, 9}, 20, 100);
        assertEquals(3, p.chunks().size());
        assertArrayEquals(new int[] {1, 3}, p.chunks().get(0));
        assertArrayEquals(new int[] {4, 0}, p.chunks().get(1));
        assertArrayEquals(new int[] {2}, p.chunks().get(2));
        assertEquals(10 + 20 + 20, p.processedTokens());
    }

    @Test
    void sortedChunksRestoredGiveTheEmbeddingsOfOnePaddedBatch() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            StringBuilder sb = new StringBuilder("apt");
            for (int w = 0; w < (i * 7) % 23; w++) {
                sb.append(" pkg").append((i + w) % 9).append(" lib").append(w % 5);
            }
            texts.add(sb.toString());
        }
        try (BgeModel m = TinyModels.bert(texts, 5, 0.0); NDManager sm = m.manager().newSubManager()) {
            long[][] ids = m.tokenizer().encode(texts, 64);
            NDArray whole = m.embed(sm, ids, true);
            LengthChunks plan = LengthChunks.byCount(LengthChunks.lengths(ids), 5);
            assertTrue(plan.paddingEfficiency() > LengthChunks.unsortedEfficiency(LengthChunks.lengths(ids), 12));
            NDList parts = new NDList();
            for (int[] chunk : plan.chunks()) {
                parts.add(m.embed(sm, plan.select(ids, chunk), true));
            }
            NDArray restored = plan.restore(NDArrays.concat(parts, 0));
            float[] a = whole.toFloatArray();
            float[] b = restored.toFloatArray();
            assertEquals(a.length, b.length);
            double maxDiff = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            }
            assertTrue(maxDiff < 1e-5, "max difference " + maxDiff);
            // and a wrong order would be caught: the rows differ between texts
            float[] shifted = plan.restore(NDArrays.concat(parts, 0)).get("1:").toFloatArray();
            double d = 0;
            for (int i = 0; i < shifted.length; i++) {
                d = Math.max(d, Math.abs(shifted[i] - a[i]));
            }
            assertTrue(d > 1e-3, "texts must have distinct embeddings for the test to mean anything");
        }
    }

    @Test
    void sortedChunksGiveTheGradientsOfOnePaddedBatch() {
        List<String> texts = List.of("apt", "apt get install the package now", "lib", "lib ssl dev headers",
                "a much longer description of a package with many words in it", "dev", "get the headers");
        try (BgeModel m = TinyModels.bert(texts, 8, 0.0)) {
            long[][] ids = m.tokenizer().encode(texts, 64);
            float[] target = new float[texts.size() * m.dimension()];
            for (int i = 0; i < target.length; i++) {
                target[i] = (float) Math.sin(i * 0.37);
            }
            LengthChunks plan = LengthChunks.byCount(LengthChunks.lengths(ids), 3);
            java.util.Map<String, float[]> plain = gradients(m, ids, target, null);
            java.util.Map<String, float[]> chunked = gradients(m, ids, target, plan);
            double worst = 0;
            for (String k : plain.keySet()) {
                float[] a = plain.get(k);
                float[] b = chunked.get(k);
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(a[i])));
                }
            }
            assertTrue(worst < 1e-3, "worst relative gradient difference " + worst);
        }
    }

    /** Gradients of sum(embeddings * target) for one padded batch (plan null) or length-sorted chunks. */
    private static java.util.Map<String, float[]> gradients(BgeModel m, long[][] ids, float[] target, LengthChunks plan) {
        java.util.Map<String, NDArray> params = m.parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        try (NDManager sm = m.manager().newSubManager();
                ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray e;
            if (plan == null) {
                e = m.embed(sm, ids, true);
            } else {
                NDList parts = new NDList();
                for (int[] chunk : plan.chunks()) {
                    parts.add(m.embed(sm, plan.select(ids, chunk), true));
                }
                e = plan.restore(NDArrays.concat(parts, 0));
            }
            NDArray t = sm.create(target, e.getShape());
            gc.backward(e.mul(t).sum());
        }
        java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, NDArray> p : params.entrySet()) {
            out.put(p.getKey(), p.getValue().getGradient().toFloatArray());
        }
        io.bge4j.train.optim.AdamW.zeroGradients(params);
        params.values().forEach(p -> p.setRequiresGradient(false));
        return out;
    }
}
