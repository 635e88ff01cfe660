package io.bge4j.train;

import static java.util.Objects.requireNonNull;

import io.bge4j.core.BgeModel;
import io.bge4j.core.BgePreset;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.NegativeRefresher;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.train.loss.DistillationType;
import io.bge4j.train.loss.EmbeddingLoss;
import io.bge4j.train.loss.GuidedMaskingLoss;
import io.bge4j.train.loss.MatryoshkaLoss;
import io.bge4j.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Contrastive fine-tuning of a {@link BgeModel}, as FlagEmbedding does it: per step, B queries each with one sampled
 * positive and G−1 sampled negatives, InfoNCE over the B × (B·G) score matrix at temperature τ (in-batch negatives on
 * by default), optional knowledge distillation from teacher scores, AdamW with decoupled weight decay, warmup then
 * decay, gradient clipping. Bigger batches than memory allows come from {@link Builder#gradientCache(int)} (GradCache)
 * and {@link Builder#crossBatchMemory(int, long)}; a guide model can leave likely false negatives out of the softmax
 * ({@link Builder#guidedMasking(double, GuidedMaskingLoss.MarginType)}); evaluation on held-out queries during
 * training keeps the best checkpoint and can stop early; general-domain guards and a measured merge ratio say whether
 * the gain cost general quality; checkpoints let a run resume where it stopped (see {@code docs/training.md}).
 * The defaults (each setter names its own) follow what makes BGE fine-tunes work, with a learning rate by model size:
 * <b>3e-5 for small, 2e-5 for base, 1e-5 for large</b> models.
 *
 * <p>{@link Builder#build()} freezes the options into an immutable {@link FinetuneConfig}; a {@code Finetuner} holds
 * nothing else, so it can run any number of times, from any thread (one run at a time per model), and every run's
 * steps, evaluations and diagnostics are in that run's {@link FinetuneResult}. The model is trained in place; call
 * {@link BgeModel#copy()} first if you need the base model afterwards.
 *
 * <p>Usage:
 * <pre>{@code
 * FinetuneResult r = Finetuner.builder()
 *     .model(model).trainingSet(train)
 *     .batchSize(32).groupSize(8).epochs(2)
 *     .evaluator(RetrievalEvaluator.of(devQueries, corpus, devQrels), Metric.NDCG_AT_10)
 *     .outputDir(Path.of("runs/demo"))
 *     .build().fit();
 * }</pre>
 */
public final class Finetuner {

    private final FinetuneConfig config;

    private Finetuner(FinetuneConfig config) { this.config = config; }

    /** @return a builder with the defaults described in the class documentation */
    public static Builder builder() { return new Builder(); }

    /** @param size the model's size class @return the default peak learning rate for it */
    public static double defaultLearningRate(BgePreset.SizeClass size) { return ConfigRules.defaultLearningRate(size); }

    /** @return the immutable options this finetuner runs with */
    public FinetuneConfig config() { return config; }

    /** Runs the fine-tune on the builder's model and training set.
     * @return steps, evaluations, diagnostics and the best model of this run
     * @throws IllegalStateException if the builder was given no model or no training set
     */
    public FinetuneResult fit() {
        if (config.model() == null || config.trainingSet() == null) {
            throw new IllegalStateException((config.model() == null ? "model" : "trainingSet")
                    + " was not set on the builder; set it or call fit(model, trainingSet)");
        }
        return fit(config.model(), config.trainingSet());
    }

    /** Runs the fine-tune on {@code model} (trained in place) with {@code trainingSet}; model-dependent defaults
     * (token budgets, learning rate) are resolved for this model.
     * @param model the model to train
     * @param trainingSet the examples
     * @return steps, evaluations, diagnostics and the best model of this run
     * @throws IllegalArgumentException when an option does not fit this model or the set is empty
     */
    public FinetuneResult fit(BgeModel model, TrainingSet trainingSet) {
        return new TrainingSession(ConfigRules.resolve(config, model, trainingSet)).run();
    }

    /** Test hook: parameter gradients of the first micro-batch, computed as training would. */
    Map<String, float[]> firstBatchGradients() {
        return new TrainingSession(ConfigRules.resolve(config, config.model(), config.trainingSet()))
                .firstBatchGradients();
    }

    /**
     * Options of a fine-tune. Every option is checked in {@link #build()}, which names the bad one and leaves the
     * builder unchanged. <p>Usage: {@code Finetuner.builder().model(m).trainingSet(t).epochs(1).build()}
     */
    public static final class Builder {
        private final BuilderOptions o = new BuilderOptions();

        private Builder() {}

        /** @param model what {@link Finetuner#fit()} trains in place (optional with fit(model, set)) @return this */
        public Builder model(BgeModel model) { o.model = model; return this; }

        /** @param set the training examples @return this */
        public Builder trainingSet(TrainingSet set) { o.trainingSet = set; return this; }

        /** Mines or samples negatives for the training set once, before training.
         * @param s e.g. a dense or BM25 miner
         * @param c the documents to take negatives from @return this */
        public Builder negativeSampler(NegativeSampler s, Corpus c) { o.sampler = s; o.corpus = c; return this; }

        /**
         * Negatives that get harder as training proceeds (e.g. a {@code DynamicNegativeSampler}): when {@link
         * NegativeRefresher#isDue(int)} says so, it is called with an embedder over the current weights and its
         * refreshed examples replace the training examples from the next step on. A refresher that is also a {@link
         * NegativeSampler} must be the one given to {@link #negativeSampler(NegativeSampler, Corpus)} (it re-mines the
         * examples it sampled); {@link #build()} refuses it otherwise. @param dynamic the refresher @return this
         */
        public Builder dynamicNegatives(NegativeRefresher dynamic) { o.dynamicNegatives = dynamic; return this; }

        /** @param b queries per micro-batch (default 32) @return this */
        public Builder batchSize(int b) { o.batchSize = b; return this; }

        /** @param g passages per query: 1 positive + g−1 negatives (default 8) @return this */
        public Builder groupSize(int g) { o.groupSize = g; return this; }

        /** @param tau InfoNCE temperature (default 0.02) @return this */
        public Builder temperature(double tau) { o.temperature = tau; return this; }

        /** @param n query token budget (default 64, or the model's maximum if smaller) @return this */
        public Builder queryMaxLength(int n) { o.queryMaxLength = n; return this; }

        /** @param n passage token budget (default 256, or the model's maximum if smaller) @return this */
        public Builder passageMaxLength(int n) { o.passageMaxLength = n; return this; }

        /** @param on score each query against every passage of the batch (default true) @return this */
        public Builder inBatchNegatives(boolean on) { o.inBatchNegatives = on; return this; }

        /** @param lr peak learning rate (default by model size: 3e-5 small, 2e-5 base, 1e-5 large) @return this */
        public Builder learningRate(double lr) { o.learningRate = lr; return this; }

        /** @param wd decoupled weight decay (default 0.01; never on biases and LayerNorm) @return this */
        public Builder weightDecay(double wd) { o.weightDecay = wd; return this; }

        /** @param ratio fraction of steps spent warming up (default 0.1) @return this */
        public Builder warmupRatio(double ratio) { o.warmupRatio = ratio; return this; }

        /** @param decay shape after warmup (default LINEAR) @return this */
        public Builder schedule(LearningRateSchedule.Decay decay) { o.schedule = decay; return this; }

        /** @param norm clip the global gradient norm to this (default 1.0; 0 disables) @return this */
        public Builder maxGradNorm(double norm) { o.maxGradNorm = norm; return this; }

        /** @param n passes over the training set (default 1) @return this */
        public Builder epochs(int n) { o.epochs = n; return this; }

        /** @param n stop after this many optimizer steps (overrides epochs when smaller) @return this */
        public Builder maxSteps(long n) { o.maxSteps = n; return this; }

        /** @param n micro-batches per optimizer step (default 1) @return this */
        public Builder gradientAccumulation(int n) { o.gradientAccumulation = n; return this; }

        /** @param seed drives every random choice: order, sampling, dropout (default 42) @return this */
        public Builder seed(long seed) { o.seed = seed; return this; }

        /** @param dir where checkpoints, best/final models and metrics.jsonl go @return this */
        public Builder outputDir(Path dir) { o.outputDir = dir; return this; }

        /** @param l a listener (the console progress bar is not added automatically) @return this */
        public Builder listener(TrainingListener l) { o.listeners.add(requireNonNull(l, "listener")); return this; }

        /** GradCache: embed the batch in chunks of {@code miniBatch} texts without a graph, take the loss gradient
         * w.r.t. the embeddings, then re-run each chunk with a graph (same dropout) and back-propagate the cached
         * gradient. Memory then depends on the chunk, not the batch. @param miniBatch texts per chunk (0 disables)
         * @return this */
        public Builder gradientCache(int miniBatch) { o.gradientCacheMiniBatch = miniBatch; return this; }

        /** Cross-batch memory: recent passage embeddings (no gradient) join as extra negatives.
         * @param size entries kept (FIFO); 0 disables
         * @param warmup steps before the memory is used @return this */
        public Builder crossBatchMemory(int size, long warmup) { o.memory = size; o.warmup = warmup; return this; }

        /** Evaluates during training and keeps the best model by {@code primary}.
         * @param e e.g. a RetrievalEvaluator on dev queries
         * @param primary the metric to maximise @return this */
        public Builder evaluator(Evaluator e, Metric primary) { o.evaluator = e; o.primary = primary; return this; }

        /** Adds a general-domain regression guard (e.g. a RetrievalEvaluator on data outside the training domain):
         * evaluated on the base before training and on the best model after it, never used to pick the model; the
         * verdict ({@link FinetuneResult#verdict()}) shows its change with a paired interval next to the target's.
         * Needs {@link #evaluator}; may be called more than once. @param guard its evaluator (its name labels it)
         * @return this */
        public Builder guardEvaluator(Evaluator guard) { o.guards.add(guard); return this; }

        /** When the target improved but a guard regressed, measures the merge {@code (1 − r)·base + r·best} at each
         * of {@link #mergeRatios} on the target and the guard that regressed most ({@link
         * io.bge4j.train.merge.VerdictMerge}; the guard may drop at most {@link #maxGeneralDrop}) and puts the chosen
         * r into the verdict. Keeps a frozen copy of the base from the run's start: one more model in memory (on the
         * model's device), like guided masking's default guide. Needs a guard; no copy without a base evaluation or
         * on resume. @param on default: on when {@link #guardEvaluator} is set @return this */
        public Builder mergeSearch(boolean on) { o.mergeSearch = on; return this; }

        /** @param r tuned weights the merge search tries, ascending in [0, 1] (default 0, .25, .5, .75, 1; 0 and 1
         * are always measured) @return this */
        public Builder mergeRatios(double... r) { o.mergeRatios = BuilderOptions.boxed(r); return this; }

        /** @param d largest accepted fall of the guard's metric below the base's in the merge search (default
         * 0.01) @return this */
        public Builder maxGeneralDrop(double d) { o.maxGeneralDrop = d; return this; }

        /** Keyed dropout: every dropout mask of a text is a function of (seed, micro-batch, the text's tokens), not
         * of the batch it is encoded in or its padding, so a GradCache step of any chunk size and a plain step give
         * the same gradients with dropout on ({@code BertEncoder.dropoutKey}). Default: on for GradCache steps (so
         * the memory planner's chunk choice never changes the result), off for plain steps (about a third slower on
         * CPU). @param on true to key the masks in every step, false for ordinary dropout @return this */
        public Builder keyedDropout(boolean on) { o.keyedDropout = on; return this; }

        /** @param steps evaluate every this many steps (0 = only per epoch) @return this */
        public Builder evaluateEvery(long steps) { o.evaluateEvery = steps; return this; }

        /** @param on evaluate at each epoch's end (default: only when {@link #evaluateEvery} is 0) @return this */
        public Builder evaluateEachEpoch(boolean on) { o.evaluateEachEpoch = on; return this; }

        /** @param on evaluate the model before the first step (default true) @return this */
        public Builder evaluateBase(boolean on) { o.evaluateBase = on; return this; }

        /** Stops when the primary metric has not improved by {@code delta} for {@code n} evaluations.
         * @param n evaluations without improvement tolerated (the patience)
         * @param delta the smallest gain that counts @return this */
        public Builder earlyStopping(int n, double delta) { o.patience = n; o.minDelta = delta; return this; }

        /** @param steps write a resumable checkpoint every this many steps (0 = only at the end) @return this */
        public Builder checkpointEvery(long steps) { o.checkpointEvery = steps; return this; }

        /** @param n checkpoints kept (oldest deleted; default 2) @return this */
        public Builder keepCheckpoints(int n) { o.keepCheckpoints = n; return this; }

        /** @param checkpoint a checkpoint folder written by an earlier run @return this */
        public Builder resumeFrom(Path checkpoint) { o.resumeFrom = checkpoint; return this; }

        /** How teacher scores (when the examples carry them) are distilled.
         * @param t KL_DIV (added to InfoNCE, default) or M3_KD_LOSS
         * @param tau softmax temperature of teacher scores (default 1, as FlagEmbedding) @return this */
        public Builder distillation(DistillationType t, double tau) { o.kd = t; o.kdTau = tau; return this; }

        /** @param on put examples of similar passage length in the same batch to cut padding (default false:
         *     faster on CPU, but the same examples keep meeting as in-batch negatives on small sets) @return this */
        public Builder lengthBucketing(boolean on) { o.lengthBucketing = on; return this; }

        /** @param on save the final model to {@code outputDir/final} (default true) @return this */
        public Builder saveFinal(boolean on) { o.saveFinal = on; return this; }

        /** Replaces the default loss (InfoNCE with the temperature, in-batch and distillation options of this
         * builder) with any {@link EmbeddingLoss}; the step strategies (full batch, GradCache) and {@link
         * #matryoshka(List, List)} wrap it like the default. @param loss the loss @return this */
        public Builder loss(EmbeddingLoss loss) { o.loss = requireNonNull(loss, "loss"); return this; }

        /** Matryoshka training: the loss is applied at each leading dimension (e.g. 384, 256, 128, 64) with the
         * given weights and summed ({@link MatryoshkaLoss}). @param dims leading dimensions (each at most the model's
         * dimension)
         * @param weights one weight per dimension @return this */
        public Builder matryoshka(List<Integer> dims, List<Double> weights) {
            o.matryoshkaDims = List.copyOf(dims); o.matryoshkaWeights = List.copyOf(weights); return this;
        }

        /** {@link #guidedMasking(BgeModel, double, GuidedMaskingLoss.MarginType)} with the default guide: a frozen
         * copy of the trained model, taken when each run starts (before any update).
         * @param margin how far below the positive's guide score a candidate is still masked (0 = only above it)
         * @param type ABSOLUTE ({@code g > p − margin}) or RELATIVE ({@code g > (1 − margin)·p}) @return this */
        public Builder guidedMasking(double margin, GuidedMaskingLoss.MarginType type) {
            return guidedMasking(null, margin, type);
        }

        /**
         * Guided false-negative masking (GISTEmbed): the default loss becomes {@link GuidedMaskingLoss} (this builder's
         * temperature and in-batch option). Per micro-batch the guide scores each query against its candidates
         * without gradient; a candidate scored above the query's positive, or within the margin below it, leaves that
         * query's softmax. The count per step is {@link StepRecord#maskedCandidates()} (also in {@code metrics.jsonl}),
         * the run's total a {@code GUIDED_MASKING} diagnostic. Teacher scores are not used; {@code crossBatchMemory}
         * and {@link #loss(EmbeddingLoss)} are refused with it. <p>Usage: {@code builder.guidedMasking(null, 0.05, GuidedMaskingLoss.MarginType.ABSOLUTE)}
         * @param guide read only, never closed here; {@code null} for a frozen copy of the trained model taken
         *     when each run starts (it doubles the weights' memory)
         * @param margin finite, &gt;= 0 (&lt; 1 when relative)
         * @param type ABSOLUTE or RELATIVE @return this
         */
        public Builder guidedMasking(BgeModel guide, double margin, GuidedMaskingLoss.MarginType type) {
            o.guidedMasking(guide, margin, type); return this;
        }

        /** Checks every option and freezes them into a {@link FinetuneConfig}. The builder is not changed and may be
         * changed and built again; model-dependent defaults are resolved per run.
         * @return the finetuner @throws IllegalArgumentException naming the first bad option */
        public Finetuner build() {
            FinetuneConfig config = o.toConfig();
            ConfigRules.check(config);
            return new Finetuner(config);
        }
    }
}
