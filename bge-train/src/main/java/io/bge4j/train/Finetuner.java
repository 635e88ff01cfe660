package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.BgePreset;
import io.bge4j.core.Embedder;
import io.bge4j.data.ModelSizeRecommendation;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.batch.BatchComposer;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.NegativeRefresher;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.train.loss.DistillationType;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.GradientClipping;
import io.bge4j.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contrastive fine-tuning of a {@link BgeModel}, as FlagEmbedding does it: per step, B queries each
 * with one sampled positive and G−1 sampled negatives, InfoNCE over the B × (B·G) score matrix at
 * temperature τ (in-batch negatives on by default), optional knowledge distillation from teacher
 * scores, AdamW with decoupled weight decay, warmup then decay, gradient clipping. Bigger batches
 * than memory allows come from {@link Builder#gradientCache(int)} (GradCache) and
 * {@link Builder#crossBatchMemory(int, long)}; evaluation on held-out queries during training keeps
 * the best checkpoint and can stop early; checkpoints let a run resume exactly.
 *
 * <p>Defaults follow what makes BGE fine-tunes work: group size 8, τ = 0.02, query/passage lengths
 * 64/256, warmup ratio 0.1 with linear decay, weight decay 0.01 (none on biases and LayerNorm),
 * max grad norm 1.0, and a learning rate chosen by model size: <b>3e-5 for small, 2e-5 for base,
 * 1e-5 for large</b> models.
 *
 * <p>The model passed to {@link Builder#model(BgeModel)} is trained in place; call
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

    private static final Logger LOG = LoggerFactory.getLogger(Finetuner.class);

    private final Builder o;
    private final List<TrainingListener> listeners;
    private final List<TrainingDiagnostic> diagnostics = new ArrayList<>();

    private Finetuner(Builder b) {
        this.o = b;
        this.listeners = List.copyOf(b.listeners);
    }

    /** @return a builder with the defaults described in the class documentation */
    public static Builder builder() {
        return new Builder();
    }

    /** @param size the model's size class @return the default peak learning rate for it */
    public static double defaultLearningRate(BgePreset.SizeClass size) {
        return switch (size) {
            case SMALL -> 3e-5;
            case BASE -> 2e-5;
            case LARGE -> 1e-5;
        };
    }

    /**
     * Options of a fine-tune. Every option is checked in {@link #build()}, which names the bad one.
     *
     * <p>Usage: {@code Finetuner.builder().model(m).trainingSet(t).epochs(1).build()}
     */
    public static final class Builder {
        BgeModel model;
        TrainingSet trainingSet;
        NegativeSampler sampler;
        Corpus samplerCorpus;
        int batchSize = 32;
        int groupSize = 8;
        double temperature = 0.02;
        Integer queryMaxLength;
        Integer passageMaxLength;
        boolean inBatchNegatives = true;
        Double learningRate;
        double weightDecay = 0.01;
        double warmupRatio = 0.1;
        LearningRateSchedule.Decay schedule = LearningRateSchedule.Decay.LINEAR;
        double maxGradNorm = 1.0;
        int epochs = 1;
        long maxSteps = -1;
        int gradientAccumulation = 1;
        long seed = 42;
        Path outputDir;
        final List<TrainingListener> listeners = new ArrayList<>();
        int gradientCacheMiniBatch;
        int memorySize;
        long memoryWarmup;
        Evaluator evaluator;
        Metric primaryMetric;
        long evaluateEvery;
        Boolean evaluateEachEpoch;
        int patience = -1;
        double minDelta;
        long checkpointEvery;
        int keepCheckpoints = 2;
        Path resumeFrom;
        DistillationType distillation = DistillationType.KL_DIV;
        double teacherTemperature = 1.0;
        boolean evaluateBase = true;
        boolean saveFinal = true;
        boolean lengthBucketing;
        NegativeRefresher dynamicNegatives;

        private Builder() {}

        /** @param model the model to train (updated in place) @return this */
        public Builder model(BgeModel model) {
            this.model = model;
            return this;
        }

        /** @param set the training examples @return this */
        public Builder trainingSet(TrainingSet set) {
            this.trainingSet = set;
            return this;
        }

        /**
         * Mines or samples negatives for the training set once, before training.
         *
         * @param sampler e.g. a dense or BM25 miner
         * @param corpus the documents to take negatives from
         * @return this
         */
        public Builder negativeSampler(NegativeSampler sampler, Corpus corpus) {
            this.sampler = sampler;
            this.samplerCorpus = corpus;
            return this;
        }

        /**
         * Negatives that get harder as training proceeds (e.g. a {@code DynamicNegativeSampler}): when
         * {@link NegativeRefresher#isDue(int)} says so, it is called with an embedder over the current
         * weights and its refreshed examples replace the training examples from the next step on.
         *
         * @param dynamic the refresher
         * @return this
         */
        public Builder dynamicNegatives(NegativeRefresher dynamic) {
            this.dynamicNegatives = dynamic;
            return this;
        }

        /** @param b queries per micro-batch (default 32) @return this */
        public Builder batchSize(int b) {
            this.batchSize = b;
            return this;
        }

        /** @param g passages per query: 1 positive + g−1 negatives (default 8) @return this */
        public Builder groupSize(int g) {
            this.groupSize = g;
            return this;
        }

        /** @param tau InfoNCE temperature (default 0.02) @return this */
        public Builder temperature(double tau) {
            this.temperature = tau;
            return this;
        }

        /** @param n query token budget (default 64, or the model's maximum if smaller) @return this */
        public Builder queryMaxLength(int n) {
            this.queryMaxLength = n;
            return this;
        }

        /** @param n passage token budget (default 256, or the model's maximum if smaller) @return this */
        public Builder passageMaxLength(int n) {
            this.passageMaxLength = n;
            return this;
        }

        /** @param on score each query against every passage of the batch (default true) @return this */
        public Builder inBatchNegatives(boolean on) {
            this.inBatchNegatives = on;
            return this;
        }

        /** @param lr peak learning rate (default by model size: 3e-5 small, 2e-5 base, 1e-5 large) @return this */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** @param wd decoupled weight decay (default 0.01; never on biases and LayerNorm) @return this */
        public Builder weightDecay(double wd) {
            this.weightDecay = wd;
            return this;
        }

        /** @param ratio fraction of steps spent warming up (default 0.1) @return this */
        public Builder warmupRatio(double ratio) {
            this.warmupRatio = ratio;
            return this;
        }

        /** @param decay shape after warmup (default LINEAR) @return this */
        public Builder schedule(LearningRateSchedule.Decay decay) {
            this.schedule = decay;
            return this;
        }

        /** @param norm clip the global gradient norm to this (default 1.0; 0 disables) @return this */
        public Builder maxGradNorm(double norm) {
            this.maxGradNorm = norm;
            return this;
        }

        /** @param n passes over the training set (default 1) @return this */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** @param n stop after this many optimizer steps (overrides epochs when smaller) @return this */
        public Builder maxSteps(long n) {
            this.maxSteps = n;
            return this;
        }

        /** @param n micro-batches per optimizer step (default 1) @return this */
        public Builder gradientAccumulation(int n) {
            this.gradientAccumulation = n;
            return this;
        }

        /** @param seed drives every random choice: order, sampling, dropout (default 42) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param dir where checkpoints, best/final models and metrics.jsonl go @return this */
        public Builder outputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /** @param l a listener (the console progress bar is not added automatically) @return this */
        public Builder listener(TrainingListener l) {
            this.listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * GradCache: embed the batch in chunks of {@code miniBatch} texts without a graph, take the
         * loss gradient w.r.t. the embeddings, then re-run each chunk with a graph (same dropout) and
         * back-propagate the cached gradient. Memory then depends on the chunk, not the batch.
         *
         * @param miniBatch texts per chunk (0 disables)
         * @return this
         */
        public Builder gradientCache(int miniBatch) {
            this.gradientCacheMiniBatch = miniBatch;
            return this;
        }

        /**
         * Cross-batch memory: recent passage embeddings (no gradient) join as extra negatives.
         *
         * @param size entries kept (FIFO); 0 disables
         * @param warmupSteps steps before the memory is used
         * @return this
         */
        public Builder crossBatchMemory(int size, long warmupSteps) {
            this.memorySize = size;
            this.memoryWarmup = warmupSteps;
            return this;
        }

        /**
         * Evaluates during training and keeps the best model by {@code primary}.
         *
         * @param evaluator e.g. a RetrievalEvaluator on dev queries
         * @param primary the metric to maximise
         * @return this
         */
        public Builder evaluator(Evaluator evaluator, Metric primary) {
            this.evaluator = evaluator;
            this.primaryMetric = primary;
            return this;
        }

        /** @param steps evaluate every this many steps (0 = only per epoch) @return this */
        public Builder evaluateEvery(long steps) {
            this.evaluateEvery = steps;
            return this;
        }

        /** @param on evaluate at the end of every epoch (default: only when {@link #evaluateEvery} is 0) @return this */
        public Builder evaluateEachEpoch(boolean on) {
            this.evaluateEachEpoch = on;
            return this;
        }

        /** @param on evaluate the model before the first step (default true) @return this */
        public Builder evaluateBase(boolean on) {
            this.evaluateBase = on;
            return this;
        }

        /**
         * Stops when the primary metric has not improved by {@code minDelta} for {@code patience} evaluations.
         *
         * @param patience evaluations without improvement tolerated
         * @param minDelta the smallest gain that counts
         * @return this
         */
        public Builder earlyStopping(int patience, double minDelta) {
            this.patience = patience;
            this.minDelta = minDelta;
            return this;
        }

        /** @param steps write a resumable checkpoint every this many steps (0 = only at the end) @return this */
        public Builder checkpointEvery(long steps) {
            this.checkpointEvery = steps;
            return this;
        }

        /** @param n checkpoints kept (oldest deleted; default 2) @return this */
        public Builder keepCheckpoints(int n) {
            this.keepCheckpoints = n;
            return this;
        }

        /** @param checkpoint a checkpoint folder written by an earlier run @return this */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = checkpoint;
            return this;
        }

        /**
         * How teacher scores (when the examples carry them) are distilled.
         *
         * @param type KL_DIV (added to InfoNCE, default) or M3_KD_LOSS
         * @param teacherTemperature softmax temperature of teacher scores (default 1, as FlagEmbedding)
         * @return this
         */
        public Builder distillation(DistillationType type, double teacherTemperature) {
            this.distillation = type;
            this.teacherTemperature = teacherTemperature;
            return this;
        }

        /**
         * @param on put examples of similar passage length in the same batch to cut padding (default false:
         *     faster on CPU, but the same examples keep meeting as in-batch negatives on small sets)
         * @return this
         */
        public Builder lengthBucketing(boolean on) {
            this.lengthBucketing = on;
            return this;
        }

        /** @param on save the final model to {@code outputDir/final} (default true) @return this */
        public Builder saveFinal(boolean on) {
            this.saveFinal = on;
            return this;
        }

        /**
         * @return the finetuner
         * @throws IllegalArgumentException naming the first bad option
         */
        public Finetuner build() {
            require(model != null, "model", "is required");
            require(trainingSet != null, "trainingSet", "is required");
            require(!trainingSet.isEmpty(), "trainingSet", "is empty");
            require(batchSize >= 1, "batchSize", "must be >= 1, got " + batchSize);
            require(groupSize >= 1, "groupSize", "must be >= 1, got " + groupSize);
            require(temperature > 0 && Double.isFinite(temperature), "temperature", "must be > 0, got " + temperature);
            if (queryMaxLength == null) {
                queryMaxLength = Math.min(64, model.maxLength());
            }
            if (passageMaxLength == null) {
                passageMaxLength = Math.min(256, model.maxLength());
            }
            require(queryMaxLength >= 2 && queryMaxLength <= model.maxLength(), "queryMaxLength",
                    "must be in [2, " + model.maxLength() + "], got " + queryMaxLength);
            require(passageMaxLength >= 2 && passageMaxLength <= model.maxLength(), "passageMaxLength",
                    "must be in [2, " + model.maxLength() + "], got " + passageMaxLength);
            if (learningRate == null) {
                learningRate = defaultLearningRate(model.sizeClass());
            }
            require(learningRate > 0 && learningRate < 1, "learningRate", "must be in (0, 1), got " + learningRate);
            require(weightDecay >= 0, "weightDecay", "must be >= 0, got " + weightDecay);
            require(warmupRatio >= 0 && warmupRatio < 1, "warmupRatio", "must be in [0, 1), got " + warmupRatio);
            require(schedule != null, "schedule", "must not be null");
            require(maxGradNorm >= 0, "maxGradNorm", "must be >= 0 (0 disables clipping), got " + maxGradNorm);
            require(epochs >= 1, "epochs", "must be >= 1, got " + epochs);
            require(maxSteps == -1 || maxSteps >= 1, "maxSteps", "must be >= 1, got " + maxSteps);
            require(gradientAccumulation >= 1, "gradientAccumulation", "must be >= 1, got " + gradientAccumulation);
            require(gradientCacheMiniBatch >= 0, "gradientCache", "must be >= 0, got " + gradientCacheMiniBatch);
            require(memorySize >= 0 && memoryWarmup >= 0, "crossBatchMemory", "size and warmup must be >= 0");
            require(evaluator == null || primaryMetric != null, "evaluator", "needs a primary metric");
            require(evaluateEvery >= 0, "evaluateEvery", "must be >= 0, got " + evaluateEvery);
            if (evaluateEachEpoch == null) {
                evaluateEachEpoch = evaluateEvery == 0;
            }
            require(patience == -1 || patience >= 1, "earlyStopping", "patience must be >= 1, got " + patience);
            require(patience == -1 || evaluator != null, "earlyStopping", "needs an evaluator");
            require(minDelta >= 0, "earlyStopping", "minDelta must be >= 0, got " + minDelta);
            require(checkpointEvery >= 0, "checkpointEvery", "must be >= 0, got " + checkpointEvery);
            require(checkpointEvery == 0 || outputDir != null, "checkpointEvery", "needs an outputDir");
            require(keepCheckpoints >= 1, "keepCheckpoints", "must be >= 1, got " + keepCheckpoints);
            require(distillation != null, "distillation", "must not be null");
            require(teacherTemperature > 0, "distillation", "teacher temperature must be > 0, got " + teacherTemperature);
            require(sampler == null || samplerCorpus != null, "negativeSampler", "needs a corpus");
            require(!(batchSize == 1 && groupSize == 1 && memorySize == 0), "batchSize",
                    "1 with groupSize 1 leaves every query without a negative: InfoNCE is identically 0."
                            + " Use groupSize > 1 with mined negatives, or a larger batch");
            require(inBatchNegatives || groupSize > 1 || memorySize > 0, "groupSize",
                    "must be > 1 when in-batch negatives are off (otherwise InfoNCE is identically 0)");
            return new Finetuner(this);
        }

        private static void require(boolean ok, String option, String problem) {
            if (!ok) {
                throw new IllegalArgumentException(option + " " + problem);
            }
        }
    }

    /**
     * Runs the fine-tune.
     *
     * @return steps, evaluations, diagnostics and the best model
     */
    public FinetuneResult fit() {
        BgeModel model = o.model;
        List<TrainingExample> examples = new ArrayList<>(o.trainingSet.examples());
        if (o.sampler != null) {
            SamplingResult sampled = o.sampler.sample(examples, o.samplerCorpus);
            examples = new ArrayList<>(sampled.examples());
            diagnose(TrainingDiagnostic.Severity.INFO, "NEGATIVES_SAMPLED", 0, sampled.report().summary(), "");
        }
        preflight(model, examples);
        if (diagnostics.stream().anyMatch(d -> d.severity() == TrainingDiagnostic.Severity.ERROR)) {
            throw new Bge4jException("preflight failed: " + diagnostics.stream()
                    .filter(d -> d.severity() == TrainingDiagnostic.Severity.ERROR).findFirst().orElseThrow());
        }
        BatchComposer composer = composer(model);
        long microPerEpoch = composer.compose(examples, 0).batches().size();
        long stepsPerEpoch = Math.max(1, microPerEpoch / o.gradientAccumulation);
        long totalSteps = stepsPerEpoch * o.epochs;
        if (o.maxSteps > 0) {
            totalSteps = Math.min(totalSteps, o.maxSteps);
            if (o.maxSteps > stepsPerEpoch * o.epochs) {
                totalSteps = o.maxSteps;
            }
        }
        TrainingRun run = new TrainingRun(this, model, examples, composer, stepsPerEpoch, totalSteps);
        try {
            return run.execute();
        } finally {
            run.close();
        }
    }

    /** Test hook: parameter gradients of the first micro-batch, computed as training would. */
    Map<String, float[]> firstBatchGradients() {
        List<TrainingExample> examples = new ArrayList<>(o.trainingSet.examples());
        long steps = Math.max(1, (examples.size() + o.batchSize - 1) / o.batchSize / o.gradientAccumulation);
        try (TrainingRun run = new TrainingRun(this, o.model, examples, composer(o.model), steps, steps)) {
            return run.gradients(0);
        } finally {
            o.model.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
    }

    /**
     * Batches without duplicate texts (a positive of one query never sits in the batch as another
     * example's text), optionally grouped by passage length to cut padding.
     */
    private BatchComposer composer(BgeModel model) {
        BatchComposer.Builder b = BatchComposer.builder().batchSize(o.batchSize).seed(o.seed);
        if (o.lengthBucketing) {
            b.lengthBucketing(text -> Math.min(o.passageMaxLength, model.tokenizer().countTokens(text)));
        }
        return b.build();
    }

    Builder options() {
        return o;
    }

    List<TrainingListener> listeners() {
        return listeners;
    }

    List<TrainingDiagnostic> diagnostics() {
        return diagnostics;
    }

    void diagnose(TrainingDiagnostic.Severity severity, String code, long step, String message, String suggestion) {
        TrainingDiagnostic d = new TrainingDiagnostic(severity, code, step, message, suggestion);
        diagnostics.add(d);
        switch (severity) {
            case ERROR -> LOG.error("{}", d);
            case WARNING -> LOG.warn("{}", d);
            default -> LOG.info("{}", d);
        }
        for (TrainingListener l : listeners) {
            l.onDiagnostic(d);
        }
    }

    private void preflight(BgeModel model, List<TrainingExample> examples) {
        int need = o.groupSize - 1;
        int none = 0;
        int fewer = 0;
        int promptMismatch = 0;
        int teacher = 0;
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
            if (e.hasTeacherScores()) {
                teacher++;
            }
        }
        if (need > 0 && none > 0) {
            diagnose(TrainingDiagnostic.Severity.WARNING, "NO_NEGATIVES", 0, none + " of " + examples.size()
                    + " examples have no negatives; their " + need + " group negatives are drawn at random from other"
                    + " examples' positives (easy negatives)",
                    "mine hard negatives first (DenseNegativeMiner / Bm25NegativeSampler, or `bge4j mine`)");
        }
        if (need > 0 && fewer > 0) {
            diagnose(TrainingDiagnostic.Severity.WARNING, "FEW_NEGATIVES", 0, fewer + " of " + examples.size()
                    + " examples have fewer than groupSize-1 = " + need + " negatives; theirs are repeated",
                    "mine more negatives or lower groupSize");
        }
        if (promptMismatch > 0) {
            diagnose(TrainingDiagnostic.Severity.WARNING, "INSTRUCTION_MISMATCH", 0, promptMismatch
                    + " examples carry a prompt different from the model's query instruction '" + model.queryInstruction()
                    + "'; at search time the model's instruction is used",
                    "use the same instruction in training and at query time (BgeModel.loader().queryInstruction(...))");
        }
        if (teacher > 0 && teacher < examples.size()) {
            diagnose(TrainingDiagnostic.Severity.WARNING, "PARTIAL_TEACHER_SCORES", 0, teacher + " of " + examples.size()
                    + " examples carry teacher scores; distillation applies only to batches where all do", "");
        }
        ModelSizeRecommendation rec = ModelSizeRecommendation.forExampleCount(examples.size());
        String modelSize = model.sizeClass().name();
        if (!rec.recommended().name().equals(modelSize)) {
            diagnose(TrainingDiagnostic.Severity.INFO, "MODEL_SIZE", 0, "with " + examples.size()
                    + " training examples the recommended size is " + rec.recommended() + ", this model is "
                    + modelSize + ": " + String.join("; ", rec.reasons()), "");
        }
    }

    /**
     * The embedder used for evaluation and negative refreshes during training: texts are cut at the
     * training lengths (the longer of query and passage), as the model was trained.
     */
    static Embedder evalEmbedder(BgeModel model, Builder o) {
        return model.embedder().batchSize(32).maxLength(Math.max(o.queryMaxLength, o.passageMaxLength)).build();
    }

    /** Exposed for tests: the evaluation helper. */
    static Optional<EvaluationResult> evaluate(Evaluator evaluator, BgeModel model, Builder o) {
        if (evaluator == null) {
            return Optional.empty();
        }
        try (Embedder e = evalEmbedder(model, o)) {
            return Optional.of(evaluator.evaluate(e));
        }
    }

    static Map<String, Double> scalars(EvaluationResult r) {
        return new LinkedHashMap<>(r.scalars());
    }

    static NDManager stepManager(BgeModel model) {
        return model.manager().newSubManager();
    }

    static GradientCollector collector() {
        return Engine.getInstance().newGradientCollector();
    }

    static InfoNceLoss loss(Builder o) {
        return InfoNceLoss.builder().temperature(o.temperature).inBatchNegatives(o.inBatchNegatives)
                .distillation(o.distillation).teacherTemperature(o.teacherTemperature).build();
    }

    static AdamW optimizer(Builder o) {
        return AdamW.builder().weightDecay(o.weightDecay).build();
    }

    static LearningRateSchedule schedule(Builder o, long totalSteps) {
        return LearningRateSchedule.builder().peakLearningRate(o.learningRate).totalSteps(totalSteps)
                .warmupRatio(o.warmupRatio).decay(o.schedule).build();
    }

    static Optional<CrossBatchMemory> memory(Builder o) {
        if (o.memorySize == 0) {
            return Optional.empty();
        }
        return Optional.of(CrossBatchMemory.builder().capacity(o.memorySize).warmupSteps(o.memoryWarmup).build());
    }

    static double clip(Map<String, NDArray> params, double maxNorm) {
        return maxNorm > 0 ? GradientClipping.clipByGlobalNorm(params, maxNorm) : GradientClipping.globalNorm(params);
    }

    static LossInput lossInput(NDArray q, NDArray p, int g, double[][] teacher) {
        LossInput in = LossInput.of(q, p, g);
        return teacher == null ? in : in.withTeacherScores(teacher);
    }

    static LossResult computeLoss(InfoNceLoss loss, LossInput in) {
        return loss.compute(in);
    }
}
