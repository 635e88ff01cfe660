package io.bge4j.train.rerank;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.EncodedPair;
import io.bge4j.core.rerank.PairLimits;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.RerankingEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.TrainingPlan;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.GradientClipping;
import io.bge4j.train.optim.LearningRateSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * ({@code groups(...)}), optimizer, schedule, clipping, listeners and best-model keeping here are the
 * trainer's and should then be deleted from this class.
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
    private static final Logger LOG = LoggerFactory.getLogger(RerankerFinetuner.class);

    /** Whether teacher scores are used. */
    public enum Distillation {
        /** Use teacher scores when every trained example has them, else train without. */
        AUTO,
        /** Require teacher scores on every trained example. */
        ON,
        /** Ignore teacher scores. */
        OFF
    }

    private final Options o;

    private RerankerFinetuner(Options o) {
        this.o = o;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** The validated options (a snapshot of the builder). */
    private record Options(CrossEncoder model, List<TrainingExample> examples, int groupSize, int batchSize,
            PairLimits limits, double learningRate, double warmupRatio, LearningRateSchedule.Decay decay, int epochs,
            long maxSteps, double weightDecay, double maxGradNorm, Distillation distillation,
            double distillationWeight, String queryInstruction, String passageInstruction, long seed,
            RerankingEvaluator evaluator, Run firstStage, long evaluateEvery, List<TrainingListener> listeners) {}

    /** One group batch: pairs in group order (positive first) and teacher scores or null. */
    record GroupBatch(List<EncodedPair> pairs, float[] teacher, int groups) {}

    /**
     * Runs the fine-tune; the model is updated in place.
     *
     * @return steps, evaluations and counts
     */
    public RerankerFinetuneResult fit() {
        long t0 = System.nanoTime();
        List<TrainingExample> usable = new ArrayList<>();
        for (TrainingExample e : o.examples) {
            if (!e.negatives().isEmpty()) {
                usable.add(e);
            }
        }
        int skipped = o.examples.size() - usable.size();
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no training example has a negative; mine negatives first"
                    + " (bge4j mine, or DenseNegativeMiner / Bm25NegativeSampler)");
        }
        if (skipped > 0) {
            LOG.warn("{} of {} examples have no negatives and are left out", skipped, o.examples.size());
        }
        boolean distill = switch (o.distillation) {
            case OFF -> false;
            case ON -> {
                for (int i = 0; i < usable.size(); i++) {
                    if (usable.get(i).positiveScores() == null || usable.get(i).negativeScores() == null) {
                        throw new IllegalArgumentException("distillation is ON but example " + i + " (query '"
                                + usable.get(i).query() + "') has no pos_scores/neg_scores; score the file first"
                                + " (bge4j score) or use Distillation.AUTO");
                    }
                }
                yield true;
            }
            case AUTO -> usable.stream().allMatch(e -> e.positiveScores() != null && e.negativeScores() != null);
        };
        long stepsPerEpoch = (usable.size() + o.batchSize - 1) / o.batchSize;
        long total = stepsPerEpoch * o.epochs;
        if (o.maxSteps > 0) {
            total = Math.min(total, o.maxSteps);
        }
        LearningRateSchedule schedule = LearningRateSchedule.builder().peakLearningRate(o.learningRate)
                .totalSteps(total).warmupRatio(o.warmupRatio).decay(o.decay).build();
        GroupRerankLoss loss = new GroupRerankLoss(o.distillationWeight);
        TrainingPlan plan = new TrainingPlan(usable.size(), o.batchSize, o.groupSize, 1, stepsPerEpoch, total, 0);
        o.listeners.forEach(l -> l.onStart(plan));
        Map<String, NDArray> params = o.model.parameters();
        List<StepRecord> steps = new ArrayList<>();
        List<EvaluationRecord> evals = new ArrayList<>();
        Map<String, TensorData> best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        Random rnd = new Random(o.seed);
        params.values().forEach(p -> p.setRequiresGradient(true));
        try (AdamW adamw = AdamW.builder().weightDecay(o.weightDecay).build()) {
            long step = 0;
            outer:
            for (int epoch = 0; epoch < o.epochs; epoch++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < usable.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, rnd);
                for (int from = 0; from < order.size(); from += o.batchSize) {
                    if (step >= total) {
                        break outer;
                    }
                    List<TrainingExample> batch = new ArrayList<>();
                    for (int k = from; k < Math.min(order.size(), from + o.batchSize); k++) {
                        batch.add(usable.get(order.get(k)));
                    }
                    long ts = System.nanoTime();
                    GroupBatch g = groups(batch, rnd, distill);
                    double lr = schedule.learningRate(adamw.stepCount());
                    double[] parts = step(g, loss, (int) (mixSeed(o.seed, step) & 0x7fffffff));
                    double norm = Double.NaN;
                    if (Double.isFinite(parts[0])) {
                        norm = o.maxGradNorm > 0 ? GradientClipping.clipByGlobalNorm(params, o.maxGradNorm)
                                : GradientClipping.globalNorm(params);
                        adamw.step(params, lr);
                    } else {
                        LOG.warn("step {}: loss is {}; update skipped", step + 1, parts[0]);
                    }
                    AdamW.zeroGradients(params);
                    step++;
                    double secs = Math.max(1e-9, (System.nanoTime() - ts) / 1e9);
                    long tokens = g.pairs().stream().mapToLong(EncodedPair::length).sum();
                    StepRecord rec = new StepRecord(step, epoch, parts[0], parts[1], parts[2], lr, norm,
                            batch.size() / secs, tokens / secs);
                    steps.add(rec);
                    o.listeners.forEach(l -> l.onStep(rec));
                    if (o.evaluator != null && o.evaluateEvery > 0 && step % o.evaluateEvery == 0 && step < total) {
                        EvaluationRecord er = evaluate(step, bestValue);
                        evals.add(er);
                        if (er.isBest()) {
                            bestValue = er.primaryValue();
                            best = o.model.toTensors();
                        }
                    }
                }
            }
            if (o.evaluator != null) {
                EvaluationRecord er = evaluate(step, bestValue);
                evals.add(er);
                if (er.isBest()) {
                    best = null;  // the final weights are the best
                } else if (best != null) {
                    o.model.loadTensors(best);
                    LOG.info("restored the best weights (step {}, {} = {})",
                            evals.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b).orElseThrow().step(),
                            er.primaryMetric(), bestValue);
                }
            }
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        return new RerankerFinetuneResult(steps, evals, usable.size(), skipped, distill,
                (System.nanoTime() - t0) / 1e9);
    }

    private EvaluationRecord evaluate(long step, double bestSoFar) {
        EvaluationResult r = o.evaluator.evaluate(o.firstStage, o.model).reranked();
        boolean isBest = r.primaryValue() > bestSoFar;
        EvaluationRecord er = new EvaluationRecord(step, r.primary().key(), r.primaryValue(), r.scalars(), isBest);
        o.listeners.forEach(l -> l.onEvaluation(er));
        return er;
    }

    /** One forward/backward pass; returns {loss, crossEntropy, distillation}. */
    private double[] step(GroupBatch g, GroupRerankLoss loss, int dropoutSeed) {
        try (NDManager sm = o.model.encoderModel().manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Engine.getInstance().setRandomSeed(dropoutSeed);
                NDArray scores = o.model.logits(sm, g.pairs(), true).reshape(g.groups(), o.groupSize);
                NDArray teacher = g.teacher() == null ? null
                        : sm.create(g.teacher(), new Shape(g.groups(), o.groupSize));
                GroupRerankLoss.Result r = loss.compute(scores, teacher);
                double value = r.crossEntropy() + o.distillationWeight * r.distillation();
                if (Double.isFinite(value)) {
                    gc.backward(r.loss());
                }
                return new double[] {value, r.crossEntropy(), r.distillation()};
            }
        }
    }

    /**
     * Draws each example's group: a random positive, then G−1 negatives without replacement (from the
     * negatives repeated {@code ceil((G−1)/n)} times when there are fewer than G−1, as FlagEmbedding).
     */
    GroupBatch groups(List<TrainingExample> batch, Random rnd, boolean distill) {
        List<EncodedPair> pairs = new ArrayList<>(batch.size() * o.groupSize);
        float[] teacher = distill ? new float[batch.size() * o.groupSize] : null;
        int t = 0;
        for (TrainingExample e : batch) {
            String prompt = e.prompt() != null ? e.prompt() : o.queryInstruction;
            String query = prompt + e.query();
            int pos = rnd.nextInt(e.positives().size());
            List<Integer> pool = new ArrayList<>();
            int repeat = Math.max(1, (o.groupSize - 1 + e.negatives().size() - 1) / e.negatives().size());
            for (int r = 0; r < repeat; r++) {
                for (int i = 0; i < e.negatives().size(); i++) {
                    pool.add(i);
                }
            }
            for (int i = 0; i < o.groupSize - 1; i++) {  // partial Fisher-Yates: the first G-1 of a shuffle
                Collections.swap(pool, i, i + rnd.nextInt(pool.size() - i));
            }
            pairs.add(o.model.pairTokenizer().encode(query, o.passageInstruction + e.positives().get(pos), o.limits));
            if (teacher != null) {
                teacher[t++] = e.positiveScores().get(pos).floatValue();
            }
            for (int i = 0; i < o.groupSize - 1; i++) {
                int n = pool.get(i);
                pairs.add(o.model.pairTokenizer().encode(query, o.passageInstruction + e.negatives().get(n), o.limits));
                if (teacher != null) {
                    teacher[t++] = e.negativeScores().get(n).floatValue();
                }
            }
        }
        return new GroupBatch(pairs, teacher, batch.size());
    }

    private static long mixSeed(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
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
            if (model == null) {
                throw new IllegalArgumentException("model is required (a CrossEncoder)");
            }
            if (examples == null || examples.isEmpty()) {
                throw new IllegalArgumentException("trainingSet is required and must not be empty");
            }
            if (groupSize < 2) {
                throw new IllegalArgumentException("groupSize must be >= 2 (one positive and at least one negative), got "
                        + groupSize);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            if (queryMaxLength < 1 || passageMaxLength < 1) {
                throw new IllegalArgumentException("queryMaxLength and passageMaxLength must be >= 1, got "
                        + queryMaxLength + " and " + passageMaxLength);
            }
            PairLimits limits = PairLimits.training(queryMaxLength, passageMaxLength);
            if (limits.pairMaxTokens() > model.config().maxSequenceLength()) {
                throw new IllegalArgumentException("queryMaxLength + passageMaxLength = " + limits.pairMaxTokens()
                        + " exceeds the model's " + model.config().maxSequenceLength() + " positions");
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
            }
            if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
                throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
            }
            if (decay == null) {
                throw new IllegalArgumentException("decay must not be null");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (maxSteps < 0) {
                throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
            }
            if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
                throw new IllegalArgumentException("maxGradNorm must be finite and >= 0, got " + maxGradNorm);
            }
            if (distillation == null) {
                throw new IllegalArgumentException("distillation must not be null (AUTO, ON or OFF)");
            }
            if (!(distillationWeight >= 0) || !Double.isFinite(distillationWeight)) {
                throw new IllegalArgumentException("distillationWeight must be finite and >= 0, got " + distillationWeight);
            }
            if (queryInstruction == null || passageInstruction == null) {
                throw new IllegalArgumentException("queryInstruction and passageInstruction must not be null (use \"\")");
            }
            if (evaluator != null && firstStage == null) {
                throw new IllegalArgumentException("evaluator needs the first-stage run it reranks");
            }
            if (evaluateEvery < 0) {
                throw new IllegalArgumentException("evaluateEvery must be >= 0, got " + evaluateEvery);
            }
            return new RerankerFinetuner(new Options(model, examples, groupSize, batchSize, limits, learningRate,
                    warmupRatio, decay, epochs, maxSteps, weightDecay, maxGradNorm, distillation, distillationWeight,
                    queryInstruction, passageInstruction, seed, evaluator, firstStage, evaluateEvery,
                    List.copyOf(listeners)));
        }
    }
}
