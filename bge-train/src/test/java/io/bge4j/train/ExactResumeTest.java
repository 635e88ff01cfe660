package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.sampling.DynamicNegativeSampler;
import io.bge4j.data.sampling.RankWindow;
import io.bge4j.data.sampling.RankWindowSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that crashes after step 4, resumed from its step-3 checkpoint on a model with other weights,
 * takes the same steps 4..6 (same losses, same final weights) as a run that never stopped.
 */
class ExactResumeTest {

    @TempDir
    Path dir;

    private static Finetuner.Builder base(BgeModel m) {
        return Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2)
                .learningRate(1e-3).maxSteps(6).seed(11).saveFinal(false);
    }

    private static Corpus corpus() {
        List<CorpusDocument> docs = new ArrayList<>();
        int id = 0;
        for (String t : FinetunerTest.allTexts()) {
            docs.add(new CorpusDocument("d" + id++, "", t));
        }
        return Corpus.of(docs);
    }

    /** Options of the run; a new sampler object per run, as a new process would have. */
    private static UnaryOperator<Finetuner.Builder> dynamic() {
        return b -> {
            DynamicNegativeSampler dyn = DynamicNegativeSampler.builder().refreshEvery(2).negativesPerQuery(2)
                    .schedule(RankWindowSchedule.linear(RankWindow.of(8, 16), RankWindow.of(1, 8), 0, 6)).seed(3).build();
            return b.negativeSampler(dyn, corpus()).dynamicNegatives(dyn);
        };
    }

    private void assertResumeIsExact(String name, UnaryOperator<Finetuner.Builder> options) {
        List<Double> reference;
        Map<String, TensorData> uninterrupted;
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            reference = options.apply(base(m)).build().fit().steps().stream().map(StepRecord::loss).toList();
            uninterrupted = m.toTensors();
        }
        Path out = dir.resolve(name);
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> options.apply(base(m)).outputDir(out)
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
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 99)) {
            FinetuneResult r = options.apply(base(m)).resumeFrom(ckpt).build().fit();
            assertEquals(6, r.stepsTaken());
            assertEquals(reference.subList(3, 6), r.steps().stream().map(StepRecord::loss).toList(),
                    name + ": steps 4..6 after resuming");
            Map<String, TensorData> resumed = m.toTensors();
            for (String n : uninterrupted.keySet()) {
                assertArrayEquals(uninterrupted.get(n).data(), resumed.get(n).data(), name + ": " + n);
            }
        }
    }

    @Test
    void resumeWithDynamicNegativesIsExact() {
        assertResumeIsExact("dynamic", dynamic());
        assertTrue(Files.isRegularFile(dir.resolve("dynamic/checkpoints/step-00000003/examples.jsonl")),
                "the examples refreshed after step 2 are in the step-3 checkpoint");
    }

    @Test
    void resumeWithCrossBatchMemoryIsExact() {
        assertResumeIsExact("memory", b -> b.crossBatchMemory(12, 1));
        assertTrue(Files.isRegularFile(dir.resolve("memory/checkpoints/step-00000003/memory.safetensors")));
    }

    @Test
    void resumeWithGradCacheAndAccumulationIsExact() {
        assertResumeIsExact("gradcache", b -> b.batchSize(2).gradientAccumulation(2).gradientCache(3));
    }

    @Test
    void resumeWithOtherOptionsOrDataNamesWhatDiffers() {
        Path out = dir.resolve("mismatch");
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            base(m).maxSteps(3).checkpointEvery(3).outputDir(out).build().fit();
        }
        Path ckpt = out.resolve("checkpoints/step-00000003");
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            String msg = assertThrows(RuntimeException.class, () -> base(m).maxSteps(3).batchSize(2).learningRate(2e-3)
                    .resumeFrom(ckpt).build().fit()).getMessage();
            assertTrue(msg.contains("batchSize: 4 -> 2") && msg.contains("learningRate: 0.001 -> 0.002"), msg);
            assertTrue(msg.endsWith("resume with the same data and options"), msg);
            String data = assertThrows(RuntimeException.class, () -> base(m).maxSteps(3)
                    .trainingSet(BatchSourceTestData.reversed(FinetunerTest.trainingSet())).resumeFrom(ckpt).build()
                    .fit()).getMessage();
            assertTrue(data.contains("training data: SHA-256"), data);
            FinetuneResult more = base(m).maxSteps(5).resumeFrom(ckpt).build().fit();
            assertEquals(2, more.steps().size(), "more steps are allowed");
            TrainingDiagnostic warning = more.diagnostics().stream()
                    .filter(d -> d.code().equals("RESUME_OPTIONS_CHANGED")).findFirst().orElseThrow();
            assertTrue(warning.message().contains("maxSteps: 3 -> 5"), warning.message());
        }
    }
}
