package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With dropout on, keyed dropout masks make GradCache of any chunk size give the gradients of a keyed plain step;
 * the engine's ordinary dropout does not.
 */
class KeyedGradCacheTest {

    private static Map<String, float[]> gradients(BgeModel m, Finetuner.Builder b) {
        return b.model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(8).groupSize(3).seed(5).build()
                .firstBatchGradients();
    }

    static double relative(Map<String, float[]> a, Map<String, float[]> b) {
        double num = 0;
        double den = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            for (int i = 0; i < x.length; i++) {
                num += (x[i] - y[i]) * (double) (x[i] - y[i]);
                den += x[i] * (double) x[i];
            }
        }
        assertTrue(den > 1e-6, "gradients must not be trivially zero: |g|^2 = " + den);
        return Math.sqrt(num / den);
    }

    @Test
    void keyedGradCacheEqualsAKeyedPlainStepWithDropoutOn() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.1)) {
            Map<String, float[]> plainKeyed = gradients(m, Finetuner.builder().keyedDropout(true));
            for (int chunk : new int[] {2, 5}) {
                Map<String, float[]> cached = gradients(m, Finetuner.builder().gradientCache(chunk));
                double rel = relative(plainKeyed, cached);
                assertTrue(rel <= 1e-5, "chunk " + chunk + ": relative error " + rel);
            }
            // control: ordinary dropout draws other masks in a plain step, and per-chunk masks in GradCache
            Map<String, float[]> plain = gradients(m, Finetuner.builder());
            Map<String, float[]> cachedUnkeyed = gradients(m, Finetuner.builder().gradientCache(2).keyedDropout(false));
            assertTrue(relative(plain, plainKeyed) > 1e-3, "keyed masks must differ from the engine's");
            assertTrue(relative(plain, cachedUnkeyed) > 1e-3, "unkeyed GradCache must differ from a plain step");
        }
    }

    @Test
    void defaultsAreKeyedForGradCacheAndUnkeyedForPlainSteps() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.1)) {
            Finetuner p = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).build();
            RunSettings plain = ConfigRules.resolve(p.config(), m, p.config().trainingSet());
            assertTrue(!assertInstanceOf(PlainStep.class, StepStrategy.of(plain)).keyed());
            Finetuner g = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4)
                    .gradientCache(2).build();
            RunSettings cached = ConfigRules.resolve(g.config(), m, g.config().trainingSet());
            assertTrue(assertInstanceOf(GradCacheStep.class, StepStrategy.of(cached)).keyed());
        }
    }
}
