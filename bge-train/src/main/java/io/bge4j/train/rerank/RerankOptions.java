package io.bge4j.train.rerank;

import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.TrainingExample;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.optim.LearningRateSchedule;
import java.util.List;

/** The validated options of a {@link RerankerFinetuner} (a snapshot of its builder). */
record RerankOptions(CrossEncoder model, List<TrainingExample> examples, int groupSize, int batchSize,
        PairLimits limits, double learningRate, double warmupRatio, LearningRateSchedule.Decay decay, int epochs,
        long maxSteps, double weightDecay, double maxGradNorm, RerankerFinetuner.Distillation distillation,
        double distillationWeight, String queryInstruction, String passageInstruction, long seed,
        RerankingEvaluator evaluator, Run firstStage, long evaluateEvery, List<TrainingListener> listeners) {

    /**
     * Checks the builder's values in its order and derives the pair limits from the token budgets.
     *
     * @throws IllegalArgumentException naming the bad option
     */
    static RerankOptions checked(CrossEncoder model, List<TrainingExample> examples, int groupSize, int batchSize,
            int queryMaxLength, int passageMaxLength, double learningRate, double warmupRatio,
            LearningRateSchedule.Decay decay, int epochs, long maxSteps, double weightDecay, double maxGradNorm,
            RerankerFinetuner.Distillation distillation, double distillationWeight, String queryInstruction,
            String passageInstruction, long seed, RerankingEvaluator evaluator, Run firstStage, long evaluateEvery,
            List<TrainingListener> listeners) {
        require(model != null, "model is required (a CrossEncoder)");
        require(examples != null && !examples.isEmpty(), "trainingSet is required and must not be empty");
        require(groupSize >= 2, "groupSize must be >= 2 (one positive and at least one negative), got " + groupSize);
        require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        require(queryMaxLength >= 1 && passageMaxLength >= 1, "queryMaxLength and passageMaxLength must be >= 1, got "
                + queryMaxLength + " and " + passageMaxLength);
        PairLimits limits = PairLimits.training(queryMaxLength, passageMaxLength);
        require(limits.pairMaxTokens() <= model.config().maxSequenceLength(), "queryMaxLength + passageMaxLength = "
                + limits.pairMaxTokens() + " exceeds the model's " + model.config().maxSequenceLength() + " positions");
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be finite and > 0, got "
                + learningRate);
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmupRatio must be in [0, 1], got " + warmupRatio);
        require(decay != null, "decay must not be null");
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(maxSteps >= 0, "maxSteps must be >= 0, got " + maxSteps);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be finite and >= 0, got "
                + weightDecay);
        require(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "maxGradNorm must be finite and >= 0, got "
                + maxGradNorm);
        require(distillation != null, "distillation must not be null (AUTO, ON or OFF)");
        require(distillationWeight >= 0 && Double.isFinite(distillationWeight),
                "distillationWeight must be finite and >= 0, got " + distillationWeight);
        require(queryInstruction != null && passageInstruction != null,
                "queryInstruction and passageInstruction must not be null (use \"\")");
        require(evaluator == null || firstStage != null, "evaluator needs the first-stage run it reranks");
        require(evaluateEvery >= 0, "evaluateEvery must be >= 0, got " + evaluateEvery);
        return new RerankOptions(model, examples, groupSize, batchSize, limits, learningRate, warmupRatio, decay,
                epochs, maxSteps, weightDecay, maxGradNorm, distillation, distillationWeight, queryInstruction,
                passageInstruction, seed, evaluator, firstStage, evaluateEvery, List.copyOf(listeners));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
