package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.data.ModelSizeRecommendation;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.SamplingResult;
import java.util.ArrayList;
import java.util.List;

/** Before the first step: sample negatives once, then report what in the data will hurt the run. */
final class Preflight {

    private Preflight() {}

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
