package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.train.plan.MemoryAvailability;
import io.bge4j.train.plan.MemoryCalibration;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.plan.MemoryPlanException;
import io.bge4j.train.plan.MemoryPlanner;
import io.bge4j.train.plan.StepShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory plan of the preflight: what it decides, what it reports, and that training follows it. */
class MemoryPlanPreflightTest {

    private static final long MIB = 1L << 20;

    /** A machine with {@code budget} bytes for this process (which is not resident yet: runtime = default). */
    private static MemoryAvailability machine(long budget) {
        return new MemoryAvailability(budget, budget, OptionalLong.empty(), OptionalLong.empty(), 0, 512 * MIB,
                512 * MIB, OptionalLong.empty(), OptionalLong.empty());
    }

    private static Finetuner.Builder base(BgeModel m) {
        return Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(8).groupSize(2)
                .queryMaxLength(32).passageMaxLength(64).seed(3);
    }

    private static RunSettings settings(Finetuner f, BgeModel m) {
        return ConfigRules.resolve(f.config(), m, f.config().trainingSet());
    }

    /** The planner as the preflight builds it for a process that is not resident yet. */
    private static MemoryPlanner planner(BgeModel m) {
        return MemoryPlanner.builder().config(m.config())
                .calibration(MemoryCalibration.DEFAULT.withRuntimeBytes(MemoryCalibration.DEFAULT.runtimeBytes()))
                .build();
    }

    private static StepShape shape(RunSettings s, int chunk) {
        return new StepShape(8, 2, s.queryMaxLength(), s.passageMaxLength(), 1, chunk, 0, true);
    }

    private static final class Collect implements TrainingListener {
        final List<TrainingDiagnostic> seen = new ArrayList<>();

        @Override
        public void onDiagnostic(TrainingDiagnostic d) {
            seen.add(d);
        }
    }

    @Test
    void aStepThatCannotFitFailsInPreflightWithTheEstimateTheBudgetAndWhatToChange() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2)) {
            RunSettings s = settings(base(m).build(), m);
            Collect c = new Collect();
            MemoryPlanException e = assertThrows(MemoryPlanException.class,
                    () -> Preflight.memoryPlan(s, new RunLog(List.of(c)), machine(64 * MIB)));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("memory plan: does not fit (batch 8 x group 2, query/passage 32/64 tokens)"), msg);
            assertTrue(msg.contains("not even GradCache with chunks of 1 text fits"), msg);
            assertTrue(msg.contains("usable 0.05 GiB = budget 0.06 GiB less 20% headroom"), msg);
            assertTrue(msg.contains("to fit, change one of: "), msg);
            assertTrue(msg.contains("runtime (0.21 GiB)"), msg); // the fixed part alone is over the budget
            assertEquals(1, c.seen.size());
            TrainingDiagnostic d = c.seen.get(0);
            assertEquals(TrainingDiagnostic.Severity.ERROR, d.severity());
            assertEquals(Preflight.MEMORY_PLAN, d.code());
            assertEquals(msg, d.message());
        }
    }

    @Test
    void aRunThatCannotFitStopsBeforeTheFirstStepWithAMessage(@TempDir Path dir) {
        // a cross-batch memory of 2^31 - 1 passages needs hundreds of GiB for its embeddings and score columns
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2)) {
            List<StepRecord> steps = new ArrayList<>();
            Finetuner f = base(m).crossBatchMemory(Integer.MAX_VALUE, 0).maxSteps(2).outputDir(dir.resolve("run"))
                    .listener(new TrainingListener() {
                        @Override
                        public void onStep(StepRecord r) {
                            steps.add(r);
                        }
                    }).build();
            MemoryPlanException e = assertThrows(MemoryPlanException.class, f::fit);
            assertTrue(e.getMessage().contains("lower or turn off the cross-batch memory (2147483647 passages)"),
                    e.getMessage());
            assertTrue(steps.isEmpty(), "no step may run");
        }
    }

    @Test
    void aPlainStepThatDoesNotFitSwitchesToGradCacheWithThePlannersChunk() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2)) {
            RunSettings s = settings(base(m).build(), m);
            MemoryPlanner p = planner(m);
            long plain = p.estimate(shape(s, 0)).total();
            long one = p.estimate(shape(s, 1)).total();
            assertTrue(one < plain, one + " vs " + plain);
            long usable = one + (plain - one) / 3; // between chunk 1 and the plain step
            long budget = (long) Math.ceil(usable / 0.8);
            Collect c = new Collect();
            MemoryPlan plan = Preflight.memoryPlan(s, new RunLog(List.of(c)), machine(budget));
            assertEquals(MemoryPlan.Decision.GRAD_CACHE, plan.decision());
            int chunk = plan.gradCacheChunk();
            // the largest chunk that fits: it fits, one more text does not
            long usableSeen = plan.usableBytes();
            assertTrue(p.estimate(shape(s, chunk)).total() <= usableSeen);
            assertTrue(p.estimate(shape(s, chunk + 1)).total() > usableSeen, "chunk " + chunk + " is not the largest");
            assertTrue(chunk >= 1 && chunk < 16, "chunk " + chunk);
            GradCacheStep step = assertInstanceOf(GradCacheStep.class, StepStrategy.of(s, plan));
            assertEquals(chunk, step.chunk());
            assertEquals(1, c.seen.size());
            TrainingDiagnostic d = c.seen.get(0);
            assertEquals(TrainingDiagnostic.Severity.WARNING, d.severity());
            assertEquals(Preflight.MEMORY_PLAN, d.code());
            assertTrue(d.message().startsWith("memory plan: GradCache, chunks of " + chunk + " texts"), d.message());
            assertTrue(d.message().contains("the plain step needs"), d.message());
            assertTrue(d.suggestion().contains("gradientCache(n)"), d.suggestion());
        }
    }

    @Test
    void aStepThatFitsRunsAsConfiguredAndSaysSo() {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2)) {
            Collect c = new Collect();
            RunSettings plain = settings(base(m).build(), m);
            MemoryPlan p = Preflight.memoryPlan(plain, new RunLog(List.of(c)), machine(4096 * MIB));
            assertEquals(MemoryPlan.Decision.PLAIN, p.decision());
            assertInstanceOf(PlainStep.class, StepStrategy.of(plain, p));
            assertEquals(TrainingDiagnostic.Severity.INFO, c.seen.get(0).severity());
            RunSettings cached = settings(base(m).gradientCache(3).build(), m);
            MemoryPlan q = Preflight.memoryPlan(cached, new RunLog(List.of(c)), machine(4096 * MIB));
            assertEquals(3, assertInstanceOf(GradCacheStep.class, StepStrategy.of(cached, q)).chunk());
            assertFalse(q.changed());
        }
    }

    @Test
    void theRunRecordsItsPlanAndEachStepsPaddingEfficiency(@TempDir Path dir) throws Exception {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 2)) {
            Collect c = new Collect();
            FinetuneResult r = base(m).maxSteps(2).saveFinal(false).outputDir(dir.resolve("run")).listener(c).build()
                    .fit();
            assertTrue(c.seen.stream().anyMatch(d -> d.code().equals(Preflight.MEMORY_PLAN)
                    && d.message().startsWith("memory plan: plain step")), c.seen.toString());
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(dir.resolve("run/metrics.jsonl"))) {
                lines.add(json.readTree(l));
            }
            JsonNode plan = lines.stream().filter(n -> n.path("type").asText().equals("memory_plan")).findFirst()
                    .orElseThrow();
            assertEquals("PLAIN", plan.get("decision").asText());
            assertEquals(0, plan.get("grad_cache_chunk").asInt());
            assertTrue(plan.get("estimate_total_bytes").asLong() > 0);
            List<JsonNode> stepLines = lines.stream().filter(n -> n.path("type").asText().equals("step")).toList();
            assertEquals(2, stepLines.size());
            for (int i = 0; i < 2; i++) {
                double eff = stepLines.get(i).get("padding_efficiency").asDouble();
                assertTrue(eff > 0 && eff <= 1, "padding efficiency " + eff);
                assertEquals(eff, r.steps().get(i).paddingEfficiency(), 1e-12);
            }
        }
    }
}
