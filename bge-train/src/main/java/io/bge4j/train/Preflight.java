package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.data.ModelSizeRecommendation;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.train.plan.MemoryAvailability;
import io.bge4j.train.plan.MemoryCalibration;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.plan.MemoryPlanException;
import io.bge4j.train.plan.MemoryPlanner;
import io.bge4j.train.plan.StepShape;
import java.util.ArrayList;
import java.util.List;

/**
 * Before the first step: plan the step's memory (fail fast when nothing fits), sample negatives once, then
 * report what in the data will hurt the run.
 */
final class Preflight {

    /** Diagnostic code of the memory plan (INFO as configured, WARNING when the planner changed the step). */
    static final String MEMORY_PLAN = "MEMORY_PLAN";

    private Preflight() {}

    /**
     * Plans the step against what this process may use now ({@link MemoryAvailability#probe}); see
     * {@link #memoryPlan(RunSettings, RunLog, MemoryAvailability)}.
     *
     * @return the plan, or null when this system does not show its memory (no Linux {@code /proc}): then a
     *     warning says so and the step runs as configured
     */
    static MemoryPlan memoryPlan(RunSettings s, RunLog log) {
        MemoryAvailability available;
        try {
            available = MemoryAvailability.probe(s.model().device());
        } catch (IllegalStateException e) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, MEMORY_PLAN, 0, "no memory plan: " + e.getMessage()
                    + "; the step runs as configured and is not checked against the memory available",
                    "if the run is killed for memory, lower batchSize, groupSize or passageMaxLength, or set"
                            + " gradientCache(n)");
            return null;
        }
        return memoryPlan(s, log, available);
    }

    /**
     * Estimates the peak of one step of this run (model, batch, group, lengths, accumulation, GradCache chunk,
     * cross-batch memory) against {@code available}, and reports the plan as a {@value #MEMORY_PLAN}
     * diagnostic. When the step as configured does not fit, the plan runs GradCache with the largest chunk
     * that fits (same gradients, same batch); when nothing fits, the diagnostic is an error and this throws.
     *
     * @param available what the step may use (the seam tests use to fake a small machine)
     * @return the plan to run
     * @throws MemoryPlanException with the estimate, the budget and what to change, when nothing fits
     */
    static MemoryPlan memoryPlan(RunSettings s, RunLog log, MemoryAvailability available) {
        FinetuneConfig c = s.config();
        MemoryPlanner sizing = MemoryPlanner.builder().config(s.model().config()).build();
        // gradients are allocated by the first backward, so before it the runtime is the resident size less the
        // weights (fp32 today); on a GPU the weights live on the device and the runtime is the whole RSS
        long weights = available.onGpu() ? 0 : 4L * sizing.parameterCount();
        MemoryPlanner planner = MemoryPlanner.builder().config(s.model().config())
                .calibration(MemoryCalibration.DEFAULT.withRuntimeBytes(
                        Math.max(MemoryCalibration.DEFAULT.runtimeBytes(), available.processResidentBytes() - weights)))
                .build();
        boolean dropout = s.model().config().hiddenDropoutProb() > 0 || s.model().config().attentionDropoutProb() > 0;
        StepShape shape = new StepShape(c.batchSize(), c.groupSize(), s.queryMaxLength(), s.passageMaxLength(),
                c.gradientAccumulation(), c.gradientCacheMiniBatch(), c.memorySize(), dropout);
        MemoryPlan plan = planner.plan(shape, available);
        switch (plan.decision()) {
            case DOES_NOT_FIT -> log.diagnose(TrainingDiagnostic.Severity.ERROR, MEMORY_PLAN, 0, plan.summary(),
                    String.join("; ", plan.advice()));
            case PLAIN, GRAD_CACHE -> {
                if (plan.changed()) {
                    log.diagnose(TrainingDiagnostic.Severity.WARNING, MEMORY_PLAN, 0, plan.summary(),
                            "the planner turned on GradCache with chunks of " + plan.gradCacheChunk()
                                    + " texts; set gradientCache(n) (CLI --gradient-cache n) to choose the chunk,"
                                    + " or lower batchSize, groupSize or passageMaxLength for a faster plain step");
                } else {
                    log.diagnose(TrainingDiagnostic.Severity.INFO, MEMORY_PLAN, 0, plan.summary(), "");
                }
            }
        }
        return plan.requireFits();
    }

    /** @return the examples to train on (sampled when a sampler is set) */
    static List<TrainingExample> prepare(RunSettings s, RunLog log) {
        FinetuneConfig c = s.config();
        List<TrainingExample> examples = new ArrayList<>(s.trainingSet().examples());
        int teacherBefore = countTeacher(examples, c.groupSize());
        if (c.negativeSampler() != null) {
            SamplingResult sampled = c.negativeSampler().sample(examples, c.samplerCorpus());
            examples = new ArrayList<>(sampled.examples());
            log.diagnose(TrainingDiagnostic.Severity.INFO, "NEGATIVES_SAMPLED", 0, sampled.report().summary(), "");
            int teacherAfter = countTeacher(examples, c.groupSize());
            if (teacherBefore > 0 && teacherAfter < teacherBefore) {
                log.diagnose(TrainingDiagnostic.Severity.WARNING, "TEACHER_SCORES_DROPPED", 0, teacherBefore
                        + " examples carried teacher scores, but after " + c.negativeSampler().getClass().getSimpleName()
                        + " replaced their negatives only " + teacherAfter + " do: distillation is off for the others",
                        "score the mined negatives with the teacher (a reranker) and train from that file,"
                                + " or drop negativeSampler to keep the given negatives and scores");
            }
        }
        check(s.model(), examples, c.groupSize(), log);
        long bare = examples.stream().filter(e -> e.negatives().isEmpty()).count();
        if (c.groupSize() > 1 && bare > 0 && examples.size() <= c.batchSize()) {
            log.diagnose(TrainingDiagnostic.Severity.ERROR, "NOTHING_TO_BORROW", 0, "groupSize " + c.groupSize()
                    + " needs " + (c.groupSize() - 1) + " negatives per query, but " + bare + " examples have none and"
                    + " all " + examples.size() + " examples share one batch, so no passage outside the batch is"
                    + " left to borrow (a positive of a batch query would be a false negative)",
                    "mine negatives first (`bge4j mine`), or use groupSize 1 (in-batch negatives only)");
        }
        if (log.hasErrors()) {
            throw new Bge4jException("preflight failed: " + log.diagnostics().stream()
                    .filter(d -> d.severity() == TrainingDiagnostic.Severity.ERROR).findFirst().orElseThrow());
        }
        return examples;
    }

    private static int countTeacher(List<TrainingExample> examples, int g) {
        int n = 0;
        for (TrainingExample e : examples) {
            n += BatchSource.completeTeacher(e, g) ? 1 : 0;
        }
        return n;
    }

    static void check(BgeModel model, List<TrainingExample> examples, int groupSize, RunLog log) {
        int need = groupSize - 1;
        int none = 0;
        int fewer = 0;
        int promptMismatch = 0;
        int teacher = 0;
        int half = 0;
        for (TrainingExample e : examples) {
            int n = e.negatives().size();
            if (n == 0) {
                none++;
            } else if (n < need) {
                fewer++;
            }
            if (e.prompt() != null && !e.prompt().equals(model.queryInstruction())) {
                promptMismatch++;
            }
            if (BatchSource.completeTeacher(e, groupSize)) {
                teacher++;
            } else if (e.positiveScores() != null || (e.negativeScores() != null && !e.negatives().isEmpty())) {
                half++;
            }
        }
        int total = examples.size();
        if (need > 0 && none > 0) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "NO_NEGATIVES", 0, none + " of " + total
                    + " examples have no negatives; their " + need + " group negatives are borrowed from other"
                    + " examples' positives (easy negatives; never a text of a query in the same batch)",
                    "mine hard negatives first (DenseNegativeMiner / Bm25NegativeSampler, or `bge4j mine`)");
        }
        if (need > 0 && fewer > 0) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "FEW_NEGATIVES", 0, fewer + " of " + total
                    + " examples have fewer than groupSize-1 = " + need + " negatives; theirs are repeated",
                    "mine more negatives or lower groupSize");
        }
        if (promptMismatch > 0) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "INSTRUCTION_MISMATCH", 0, promptMismatch
                    + " examples carry a prompt different from the model's query instruction '"
                    + model.queryInstruction() + "'; at search time the model's instruction is used",
                    "use the same instruction in training and at query time (BgeModel.loader().queryInstruction(...))");
        }
        if (half > 0) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "PARTIAL_TEACHER_SCORES", 0, half + " of " + total
                    + " examples carry teacher scores for their positives or their negatives but not both (or have no"
                    + " negatives to score); distillation cannot use them", "give pos_scores and neg_scores together");
        }
        if (teacher > 0 && teacher < total) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "PARTIAL_TEACHER_SCORES", 0, teacher + " of " + total
                    + " examples carry teacher scores; distillation applies only to batches where all do", "");
        }
        ModelSizeRecommendation rec = ModelSizeRecommendation.forExampleCount(total);
        String modelSize = model.sizeClass().name();
        if (!rec.recommended().name().equals(modelSize)) {
            log.diagnose(TrainingDiagnostic.Severity.INFO, "MODEL_SIZE", 0, "with " + total
                    + " training examples the recommended size is " + rec.recommended() + ", this model is "
                    + modelSize + " (a prior from the example count, not a measurement): "
                    + String.join("; ", rec.reasons()), "measure it on your data: `bge4j advise --model <model>"
                    + " --data <beir-dir> --output <dir>` fits the learning curve and reads the loss plateau"
                    + " (docs/advise.md)");
        }
    }
}
