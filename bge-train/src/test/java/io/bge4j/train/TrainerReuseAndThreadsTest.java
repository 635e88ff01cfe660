package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.sampling.DynamicNegativeSampler;
import io.bge4j.train.loss.EmbeddingLoss;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.loss.LossResult;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainerReuseAndThreadsTest {

    private static Finetuner.Builder base() {
        return Finetuner.builder().batchSize(4).groupSize(2).learningRate(1e-3).maxSteps(3).seed(5);
    }

    private static List<Double> losses(FinetuneResult r) {
        return r.steps().stream().map(StepRecord::loss).toList();
    }

    /** Trains a fresh tiny model (dropout on) with {@code f}. */
    private static List<Double> train(Finetuner f) {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            return losses(f.fit(m, FinetunerTest.trainingSet()));
        }
    }

    @Test
    void trainingOnOtherThreadsThanTheEngineGivesTheSameLosses() throws Exception {
        try (BgeModel warm = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            assertTrue(warm.dimension() > 0); // the engine is started on this thread
        }
        for (Finetuner f : List.of(base().build(), base().gradientCache(3).build())) {
            List<Double> here = train(f);
            ExecutorService a = Executors.newSingleThreadExecutor();
            ExecutorService b = Executors.newSingleThreadExecutor();
            try {
                List<Double> first = a.submit(() -> train(f)).get();
                List<Double> second = b.submit(() -> train(f)).get();
                assertEquals(3, here.size());
                assertEquals(here, first, "a worker thread trains like the engine's thread");
                assertEquals(here, second, "a second training on a third thread, too");
            } finally {
                a.shutdownNow();
                b.shutdownNow();
            }
        }
    }

    /** InfoNCE that throws on its {@code failAt}-th call, after earlier micro-batches were back-propagated. */
    private record FailingLoss(EmbeddingLoss inner, AtomicInteger calls, int failAt) implements EmbeddingLoss {
        @Override
        public LossResult compute(LossInput in) {
            if (calls.incrementAndGet() == failAt) {
                throw new IllegalStateException("loss failed");
            }
            return inner.compute(in);
        }

        @Override
        public String describe() {
            return "failing";
        }
    }

    @Test
    void aFailedStepLeavesNoStaleGradient() {
        Map<String, float[]> clean;
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.0)) {
            clean = base().model(m).trainingSet(FinetunerTest.trainingSet()).build().firstBatchGradients();
        }
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2, 0.0)) {
            Finetuner failing = base().batchSize(2).gradientAccumulation(2)
                    .loss(new FailingLoss(InfoNceLoss.builder().build(), new AtomicInteger(), 2)).build();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> failing.fit(m, FinetunerTest.trainingSet()));
            assertEquals("loss failed", e.getMessage());
            // weights untouched (the step never reached the optimizer) and no gradient left behind
            Map<String, float[]> after = base().model(m).trainingSet(FinetunerTest.trainingSet()).build()
                    .firstBatchGradients();
            for (String name : clean.keySet()) {
                assertArrayEquals(clean.get(name), after.get(name), name);
            }
        }
    }

    @Test
    void theBuiltFinetunerDoesNotShareTheBuilder() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            Finetuner.Builder b = base().model(m).trainingSet(FinetunerTest.trainingSet());
            Finetuner f = b.build();
            b.batchSize(2).temperature(0.5).listener(new TrainingListener() {});
            assertEquals(4, f.config().batchSize());
            assertEquals(0.02, f.config().temperature());
            assertEquals(0, f.config().listeners().size());
            assertNull(f.config().passageMaxLength(), "model-dependent defaults are not written back");
            assertNull(f.config().queryMaxLength());
            assertEquals(128, ConfigRules.resolve(f.config(), m, FinetunerTest.trainingSet()).passageMaxLength());
            assertEquals(2, b.build().config().batchSize(), "the builder can be changed and built again");
        }
    }

    @Test
    void aFinetunerRunsAgainAndEachResultHoldsItsOwnHistory() {
        Finetuner f = base().temperature(0.05).build();
        try (BgeModel bad = TinyModels.bert(FinetunerTest.allTexts(), 1);
                BgeModel good = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            Map<String, TensorData> nan = new LinkedHashMap<>();
            bad.toTensors().forEach((k, v) -> {
                float[] d = new float[v.data().length];
                Arrays.fill(d, Float.NaN);
                nan.put(k, new TensorData(v.name(), v.shape(), d));
            });
            bad.loadTensors(nan);
            FinetuneResult r1 = f.fit(bad, FinetunerTest.trainingSet());
            assertEquals(FinetuneResult.StopReason.NON_FINITE_LOSS, r1.stopReason());
            FinetuneResult r2 = f.fit(good, FinetunerTest.trainingSet());
            assertEquals(FinetuneResult.StopReason.COMPLETED, r2.stopReason(), "a run after a non-finite loss works");
            assertEquals(3, r2.steps().size());
            assertTrue(r2.diagnostics().stream().noneMatch(d -> d.code().equals("NON_FINITE_LOSS")),
                    "the second result has only its own diagnostics: " + r2.diagnostics());
            assertEquals(r1.diagnostics().stream().filter(d -> d.code().equals("MODEL_SIZE")).count(),
                    r2.diagnostics().stream().filter(d -> d.code().equals("MODEL_SIZE")).count());
        }
        assertEquals("model was not set on the builder; set it or call fit(model, trainingSet)",
                assertThrows(IllegalStateException.class, f::fit).getMessage());
    }

    @Test
    void dynamicNegativesWithoutTheirSamplerAreRefusedAtBuild() {
        DynamicNegativeSampler dyn = DynamicNegativeSampler.builder().refreshEvery(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base().dynamicNegatives(dyn).build());
        assertTrue(e.getMessage().startsWith("dynamicNegatives is a NegativeSampler that must first sample"),
                e.getMessage());
        DynamicNegativeSampler other = DynamicNegativeSampler.builder().refreshEvery(2).build();
        assertThrows(IllegalArgumentException.class, () -> base().negativeSampler(other,
                io.bge4j.data.beir.Corpus.of(List.of(new io.bge4j.data.beir.CorpusDocument("d", "", "x")))).dynamicNegatives(dyn).build());
    }
}
