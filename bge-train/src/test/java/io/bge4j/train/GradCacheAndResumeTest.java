package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradCacheAndResumeTest {

    @Test
    void gradCacheGradientsEqualFullBatchGradients() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.0)) {
            // warm the weights a little so that gradients are not dominated by the near-identical init
            Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(1)
                    .learningRate(2e-3).warmupRatio(0).maxSteps(10).seed(1).build().fit();
            Map<String, float[]> full = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet())
                    .batchSize(8).groupSize(3).seed(5).build().firstBatchGradients();
            Map<String, float[]> cached = Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet())
                    .batchSize(8).groupSize(3).seed(5).gradientCache(3).build().firstBatchGradients();
            double num = 0;
            double den = 0;
            for (String name : full.keySet()) {
                float[] a = full.get(name);
                float[] b = cached.get(name);
                for (int i = 0; i < a.length; i++) {
                    num += (a[i] - b[i]) * (double) (a[i] - b[i]);
                    den += a[i] * (double) a[i];
                }
            }
            assertTrue(den > 1e-6, "gradients must not be trivially zero: |g|^2 = " + den);
            double rel = Math.sqrt(num / den);
            assertTrue(rel <= 1e-4, "relative error of GradCache gradients " + rel);
        }
    }

    @Test
    void resumeAfterCrashEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        Map<String, TensorData> uninterrupted;
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            builder(m).build().fit();
            uninterrupted = m.toTensors();
        }
        Path out = dir.resolve("run");
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> builder(m).outputDir(out)
                    .checkpointEvery(3).listener(new TrainingListener() {
                        @Override
                        public void onStep(StepRecord r) {
                            if (r.step() == 4) {
                                throw new IllegalStateException("simulated crash at step 4");
                            }
                        }
                    }).build().fit());
            assertEquals("simulated crash at step 4", crash.getMessage());
        }
        Path ckpt = out.resolve("checkpoints/step-00000003");
        assertTrue(Files.isRegularFile(ckpt.resolve("optimizer.safetensors")));
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 99)) { // different init: weights come from the checkpoint
            FinetuneResult r = builder(m).resumeFrom(ckpt).build().fit();
            assertEquals(6, r.stepsTaken());
            assertEquals(3, r.steps().size(), "only steps 4..6 are run after resuming");
            Map<String, TensorData> resumed = m.toTensors();
            double maxDiff = 0;
            for (String n : uninterrupted.keySet()) {
                float[] a = uninterrupted.get(n).data();
                float[] b = resumed.get(n).data();
                for (int i = 0; i < a.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                }
            }
            assertTrue(maxDiff <= 1e-5, "max weight difference " + maxDiff);
        }
        // resuming with other options is refused with an explanation
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            String msg = assertThrows(RuntimeException.class, () -> builder(m).seed(8).resumeFrom(ckpt).build().fit())
                    .getMessage();
            assertTrue(msg.contains("resume with the same data and options"), msg);
        }
    }

    private static Finetuner.Builder builder(BgeModel m) {
        return Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2)
                .learningRate(1e-3).maxSteps(6).seed(11).saveFinal(false);
    }
}
