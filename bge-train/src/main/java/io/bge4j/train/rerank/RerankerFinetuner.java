package io.bge4j.train.rerank;

import ai.djl.ndarray.NDArray;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.GradientClipping;
import io.bge4j.train.optim.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Fine-tunes a {@link CrossEncoder} as FlagEmbedding fine-tunes its rerankers: every example gives one
 * group of G pairs (query with one positive drawn at random, and G−1 negatives drawn without replacement,
 * from the negatives repeated when there are fewer than G−1), pairs truncated by
 * {@link PairLimits#training(int, int)}, scored with dropout, and the {@link GroupRerankLoss} (softmax
 * cross-entropy with the positive as target, plus distillation from {@code pos_scores}/{@code neg_scores}
 * when present) minimised with bge-train's {@link AdamW}, {@link LearningRateSchedule} (linear warmup and
 * decay) and {@link GradientClipping}. The query text is {@code prompt + query} (the example's
 * {@code prompt}, else the configured query instruction) and the passage {@code passageInstruction +
 * passage}, as FlagEmbedding's {@code "{}{}"} instruction format.
 *
 * <p>With an evaluator ({@link RerankingEvaluator} over a first-stage run of held-out queries) the model is
 * evaluated every N steps and at the end, and the best weights are restored at the end. Randomness (order,
 * positive and negative draws, dropout masks) comes from one seed: same seed and data give the same losses.
 * Gradients are recorded only inside the step's gradient collector; evaluation scoring runs in a
 * {@link io.bge4j.core.rerank.NoGradient} region (libtorch's grad mode is per thread).
 *
 * <p><b>Seam with the bi-encoder trainer.</b> This loop is deliberately small and self-contained while
 * {@code Finetuner}/{@code TrainingRun} are being redesigned. It plugs into the redesigned trainer as a
 * model/loss pair: the model part is {@code CrossEncoder.parameters()} plus
 * {@code CrossEncoder.logits(manager, pairs, training)} over one group batch, the loss part is
 * {@link GroupRerankLoss#compute(NDArray, NDArray)} on the {@code [B, G]} scores; batching
 * ({@code RerankGroups}), the loop with its optimizer, schedule, clipping and listeners ({@code RerankLoop})
 * and best-model keeping ({@code RerankBestWeights}) are the trainer's and should then be deleted from this
 * package.
 *
 * <p>Usage:
 * <pre>{@code
 * try (BgeModel emb = BgeModel.load("bge-small-en-v1.5");
 *      CrossEncoder ce = CrossEncoder.fromEmbedder(emb, 42)) {
 *     RerankerFinetuneResult r = RerankerFinetuner.builder().model(ce).trainingSet(mined)
 *             .groupSize(8).batchSize(8).learningRate(3e-5).epochs(1).listener(new ConsoleProgress(System.err))
 *             .build().fit();
 *     ce.save(Path.of("runs/reranker"));
 * }
 * }</pre>
 */
public final class RerankerFinetuner {

    /** Whether teacher scores are used. */
    public enum Distillation {
        /** Use teacher scores when every trained example has them, else train without. */
        AUTO,
        /** Require teacher scores on every trained example. */
        ON,
        /** Ignore teacher scores. */
        OFF
    }

    private final RerankOptions o;

    private RerankerFinetuner(RerankOptions o) {
        this.o = o;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the fine-tune; the model is updated in place.
     *
     * @return steps, evaluations and counts
     */
    public RerankerFinetuneResult fit() {
        long t0 = System.nanoTime();
        RerankGroups data = RerankGroups.prepare(o);
        RerankBestWeights evaluation = new RerankBestWeights(o);
        List<StepRecord> steps = new RerankLoop(o, data, evaluation).run();
        return new RerankerFinetuneResult(steps, evaluation.evaluations(), data.usable().size(), data.skipped(),
                data.distill(), (System.nanoTime() - t0) / 1e9);
    }

    /** Test hook: {@link RerankGroups#draw} with these options. */
    RerankGroups.GroupBatch groups(List<TrainingExample> batch, Random rnd, boolean distill) {
        return RerankGroups.draw(o, batch, rnd, distill);
    }

    /**
     * Options of a {@link RerankerFinetuner}; {@link #build()} validates them, names the bad one, and does
     * not change the builder.
     *
     * <p>Usage: {@code RerankerFinetuner.builder().model(ce).trainingSet(set).groupSize(8).build()}
     */
    public static final class Builder {
        private CrossEncoder model;
        private List<TrainingExample> examples;
        private int groupSize = 8;
        private int batchSize = 16;
        private int queryMaxLength = 32;
        private int passageMaxLength = 128;
        private double learningRate = 2e-5;
        private double warmupRatio = 0.1;
        private LearningRateSchedule.Decay decay = LearningRateSchedule.Decay.LINEAR;
        private int epochs = 1;
        private long maxSteps;
        private double weightDecay = 0.01;
        private double maxGradNorm = 1.0;
        private Distillation distillation = Distillation.AUTO;
        private double distillationWeight = 1.0;
        private String queryInstruction = "";
        private String passageInstruction = "";
        private long seed = 42;
        private RerankingEvaluator evaluator;
        private Run firstStage;
        private long evaluateEvery;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {}

        /** @param model the cross-encoder to train in place (required) @return this */
        public Builder model(CrossEncoder model) {
            this.model = model;
            return this;
        }

        /** @param set the training examples (required) @return this */
        public Builder trainingSet(TrainingSet set) {
            this.examples = set == null ? null : set.examples();
            return this;
        }

        /** @param examples the training examples (required, alternative to a set) @return this */
        public Builder examples(List<TrainingExample> examples) {
            this.examples = examples == null ? null : List.copyOf(examples);
            return this;
        }

        /** @param g pairs per query: 1 positive + g−1 negatives (default 8, FlagEmbedding's train_group_size) @return this */
        public Builder groupSize(int g) {
            this.groupSize = g;
            return this;
        }

        /** @param b queries per step (default 16) @return this */
        public Builder batchSize(int b) {
            this.batchSize = b;
            return this;
        }

        /** @param tokens FlagEmbedding's query_max_len (default 32) @return this */
        public Builder queryMaxLength(int tokens) {
            this.queryMaxLength = tokens;
            return this;
        }

        /** @param tokens FlagEmbedding's passage_max_len (default 128) @return this */
        public Builder passageMaxLength(int tokens) {
            this.passageMaxLength = tokens;
            return this;
        }

        /** @param lr peak learning rate (default 2e-5) @return this */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** @param ratio share of the steps spent warming up linearly (default 0.1) @return this */
        public Builder warmupRatio(double ratio) {
            this.warmupRatio = ratio;
            return this;
        }

        /** @param decay the shape after warmup (default LINEAR) @return this */
        public Builder decay(LearningRateSchedule.Decay decay) {
            this.decay = decay;
            return this;
        }

        /** @param epochs passes over the examples (default 1) @return this */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** @param steps stop after this many optimizer steps (default 0: no cap) @return this */
        public Builder maxSteps(long steps) {
            this.maxSteps = steps;
            return this;
        }

        /** @param lambda AdamW's decoupled weight decay (default 0.01; biases and LayerNorm excluded) @return this */
        public Builder weightDecay(double lambda) {
            this.weightDecay = lambda;
            return this;
        }

        /** @param norm clip the global gradient norm to this (default 1.0; 0 = no clipping) @return this */
        public Builder maxGradNorm(double norm) {
            this.maxGradNorm = norm;
            return this;
        }

        /** @param mode when teacher scores are used (default AUTO) @return this */
        public Builder distillation(Distillation mode) {
            this.distillation = mode;
            return this;
        }

        /** @param w weight of the distillation term (default 1, as FlagEmbedding) @return this */
        public Builder distillationWeight(double w) {
            this.distillationWeight = w;
            return this;
        }

        /** @param instruction prepended to queries without their own prompt (default none) @return this */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = instruction;
            return this;
        }

        /** @param instruction prepended to every passage (default none) @return this */
        public Builder passageInstruction(String instruction) {
            this.passageInstruction = instruction;
            return this;
        }

        /** @param seed drives order, draws and dropout (default 42) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param evaluator reranking evaluation on held-out queries
         * @param firstStage the first-stage run it reranks
         * @param everySteps evaluate every this many steps (0: only at the end); the best weights are kept
         * @return this
         */
        public Builder evaluator(RerankingEvaluator evaluator, Run firstStage, long everySteps) {
            this.evaluator = evaluator;
            this.firstStage = firstStage;
            this.evaluateEvery = everySteps;
            return this;
        }

        /** @param listener receives start, steps and evaluations (e.g. bge-train's ConsoleProgress) @return this */
        public Builder listener(TrainingListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * @return the fine-tuner
         * @throws IllegalArgumentException naming the bad option
         */
        public RerankerFinetuner build() {
            return new RerankerFinetuner(RerankOptions.checked(model, examples, groupSize, batchSize, queryMaxLength,
                    passageMaxLength, learningRate, warmupRatio, decay, epochs, maxSteps, weightDecay, maxGradNorm,
                    distillation, distillationWeight, queryInstruction, passageInstruction, seed, evaluator, firstStage,
                    evaluateEvery, listeners));
        }
    }
}
