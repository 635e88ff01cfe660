package io.bge4j.examples.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusJsonl;
import io.bge4j.data.sampling.DynamicNegativeSampler;
import io.bge4j.data.sampling.RankWindow;
import io.bge4j.data.sampling.RankWindowSchedule;
import io.bge4j.eval.Metric;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.ConsoleProgress;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.loss.DistillationType;
import io.bge4j.train.loss.GuidedMaskingLoss;
import io.bge4j.train.optim.LearningRateSchedule;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j finetune}: contrastive fine-tuning with {@link Finetuner}. Every builder option has a flag (checked by
 * {@code FinetuneOptionsCoverageTest}), grouped into mixins: optimizer, evaluation, checkpoints, dynamic negatives,
 * cross-batch memory, distillation, Matryoshka, guided masking, merge search; an option left out keeps the builder's
 * default. {@code --device}, {@code --dev-split}, {@code --overwrite} and {@code --no-progress} are command-line only.
 * An {@code --output} holding another run is handled by {@link FinetuneOutput}. A {@link ConsoleProgress} bar reports
 * the run.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar finetune --model bge-small-en-v1.5 --train mined.jsonl
 * --dev data/debian-packages-en --dev-split dev --output runs/demo --epochs 2 --early-stopping 3
 * --checkpoint-every 100}
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune an embedding model on FlagEmbedding JSONL ({\"query\", \"pos\", \"neg\"}) with"
                + " InfoNCE over in-batch and group negatives. With --dev it evaluates on a BEIR-layout split,"
                + " keeps the best model and can stop early. Options left out keep the library defaults.")
final class FinetuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Base model: preset name or directory.")
    String model;

    @Option(names = "--train", required = true, paramLabel = "<train.jsonl>",
            description = "Training examples (FlagEmbedding JSONL).")
    Path train;

    @Option(names = "--output", required = true, paramLabel = "<dir>",
            description = "Output directory: final/, best/ (with --dev), checkpoints/, metrics.jsonl. A folder that"
                    + " holds another run needs --resume or --overwrite.")
    Path output;

    @Option(names = "--dev", paramLabel = "<dir>",
            description = "Data set directory to evaluate on during training (BEIR or FlagEmbedding eval layout).")
    Path dev;

    @Option(names = "--dev-split", paramLabel = "<split>", defaultValue = "dev",
            description = "Split of --dev (default: ${DEFAULT-VALUE}).")
    String devSplit;

    @Option(names = "--guard", paramLabel = "<dir>",
            description = "General-domain data set (BEIR layout) evaluated on the base and the best model, never used to"
                    + " pick it; the verdict shows its change with a CI. Needs --dev; repeatable"
                    + " (e.g. data/wordnet-nouns-en).")
    List<Path> guards = new ArrayList<>();

    @Option(names = "--guard-split", paramLabel = "<split>", defaultValue = "test",
            description = "Split of every --guard (default: ${DEFAULT-VALUE}).")
    String guardSplit;

    @Option(names = "--metric", defaultValue = "ndcg@10", paramLabel = "<name@k>",
            description = "Dev metric that picks the best model (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--epochs", paramLabel = "<N>", description = "Passes over the training set (default 1).")
    Integer epochs;

    @Option(names = "--max-steps", paramLabel = "<N>",
            description = "Optimizer steps to take; overrides --epochs (default: from epochs).")
    Long maxSteps;

    @Option(names = "--batch-size", paramLabel = "<N>", description = "Queries per batch (default 32).")
    Integer batchSize;

    @Option(names = "--group-size", paramLabel = "<N>",
            description = "Passages per query: 1 positive + N-1 negatives (default 8).")
    Integer groupSize;

    @Option(names = "--lr", paramLabel = "<x>",
            description = "Peak learning rate (default by model size: 3e-5 small, 2e-5 base, 1e-5 large).")
    Double learningRate;

    @Option(names = "--temperature", paramLabel = "<t>", description = "InfoNCE temperature (default 0.02).")
    Double temperature;

    @Option(names = "--query-max-len", paramLabel = "<N>",
            description = "Query tokens (default 64, or the model's maximum if smaller).")
    Integer queryMaxLength;

    @Option(names = "--passage-max-len", paramLabel = "<N>",
            description = "Passage tokens (default 256, or the model's maximum if smaller).")
    Integer passageMaxLength;

    @Option(names = "--gradient-cache", paramLabel = "<N>",
            description = "GradCache chunk size in texts: large batches in bounded memory (default 0 = off).")
    Integer gradientCache;

    @Option(names = "--keyed-dropout", negatable = true,
            description = "Key every dropout mask to (seed, micro-batch, text) so GradCache of any chunk size and a plain"
                    + " step give the same gradients (default: on with GradCache, off for plain steps, which it slows"
                    + " by about a third on CPU).")
    Boolean keyedDropout;

    @Option(names = "--in-batch-negatives", negatable = true,
            description = "Score each query against every passage of the batch (default on; --no-in-batch-negatives"
                    + " keeps only its own group).")
    Boolean inBatchNegatives;

    @Option(names = "--length-bucketing", negatable = true,
            description = "Batch examples of similar passage length together to cut padding (default off).")
    Boolean lengthBucketing;

    @Option(names = "--seed", paramLabel = "<N>",
            description = "Seed of every random choice: order, sampling, dropout (default 42).")
    Long seed;

    @Option(names = "--device", paramLabel = "<cpu|gpu|gpu:N>",
            description = "Where the model is trained (default: the engine's default device, a GPU when one is"
                    + " visible).")
    String device;

    @Mixin
    OptimizerOptions optimizer = new OptimizerOptions();

    @Mixin
    EvaluationOptions evaluation = new EvaluationOptions();

    @Mixin
    CheckpointOptions checkpoints = new CheckpointOptions();

    @Mixin
    DynamicNegativesOptions dynamic = new DynamicNegativesOptions();

    @Mixin
    MemoryOptions memory = new MemoryOptions();

    @Mixin
    DistillationOptions distillation = new DistillationOptions();

    @Mixin
    MatryoshkaOptions matryoshka = new MatryoshkaOptions();

    @Mixin
    GuidedMaskingOptions guided = new GuidedMaskingOptions();

    @Mixin
    MergeSearchOptions mergeSearch = new MergeSearchOptions();

    @Option(names = "--no-progress", description = "Do not print the progress bar (the summary is still printed).")
    boolean noProgress;

    /** Learning-rate schedule, weight decay, clipping, accumulation. */
    static final class OptimizerOptions {
        @Option(names = "--warmup-ratio", paramLabel = "<x>",
                description = "Fraction of steps spent warming up (default 0.1).")
        Double warmupRatio;

        @Option(names = "--schedule", paramLabel = "<linear|cosine|constant>",
                description = "Learning-rate shape after warmup (default linear).")
        String schedule;

        @Option(names = "--weight-decay", paramLabel = "<x>",
                description = "Decoupled AdamW weight decay, never on biases and LayerNorm (default 0.01).")
        Double weightDecay;

        @Option(names = "--max-grad-norm", paramLabel = "<x>",
                description = "Clip the global gradient norm to this (default 1.0; 0 = no clipping).")
        Double maxGradNorm;

        @Option(names = "--gradient-accumulation", paramLabel = "<N>",
                description = "Micro-batches of --batch-size per optimizer step (default 1).")
        Integer gradientAccumulation;

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (warmupRatio != null) {
                b.warmupRatio(warmupRatio);
            }
            if (schedule != null) {
                b.schedule(parseSchedule(spec));
            }
            if (weightDecay != null) {
                require(spec, weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be >= 0, got "
                        + weightDecay);
                b.weightDecay(weightDecay);
            }
            if (maxGradNorm != null) {
                require(spec, maxGradNorm >= 0 && Double.isFinite(maxGradNorm),
                        "--max-grad-norm must be >= 0 (0 disables clipping), got " + maxGradNorm);
                b.maxGradNorm(maxGradNorm);
            }
            if (gradientAccumulation != null) {
                require(spec, gradientAccumulation >= 1, "--gradient-accumulation must be >= 1, got "
                        + gradientAccumulation);
                b.gradientAccumulation(gradientAccumulation);
            }
        }

        private LearningRateSchedule.Decay parseSchedule(CommandSpec spec) {
            return switch (schedule.strip().toLowerCase(Locale.ROOT)) {
                case "linear" -> LearningRateSchedule.Decay.LINEAR;
                case "cosine" -> LearningRateSchedule.Decay.COSINE;
                case "constant" -> LearningRateSchedule.Decay.CONSTANT;
                default -> throw new ParameterException(spec.commandLine(),
                        "--schedule must be linear, cosine or constant, was '" + schedule + "'");
            };
        }
    }

    /** When the dev set is evaluated and how the best model is chosen; every option needs --dev. */
    static final class EvaluationOptions {
        @Option(names = "--eval-every", paramLabel = "<N>",
                description = "Evaluate on --dev every N steps (default 0 = at the end of each epoch only).")
        Long evalEvery;

        @Option(names = "--eval-each-epoch", negatable = true,
                description = "Evaluate at the end of every epoch (default: on unless --eval-every is given).")
        Boolean evalEachEpoch;

        @Option(names = "--eval-base", negatable = true,
                description = "Evaluate the base model before the first step (default on).")
        Boolean evalBase;

        @Option(names = "--early-stopping", paramLabel = "<N>",
                description = "Stop after N evaluations without improvement of --metric (needs --dev; default off).")
        Integer earlyStopping;

        @Option(names = "--early-stopping-min-delta", paramLabel = "<x>", defaultValue = "0",
                description = "Smallest gain that counts as an improvement (default: ${DEFAULT-VALUE}).")
        double minDelta;

        /** @return the first option given that needs --dev, or null */
        String needsDev() {
            return earlyStopping != null ? "--early-stopping" : evalEvery != null ? "--eval-every"
                    : evalEachEpoch != null ? "--[no-]eval-each-epoch" : evalBase != null ? "--[no-]eval-base" : null;
        }

        void apply(Finetuner.Builder b) {
            if (evalEvery != null) {
                b.evaluateEvery(evalEvery);
            }
            if (evalEachEpoch != null) {
                b.evaluateEachEpoch(evalEachEpoch);
            }
            if (evalBase != null) {
                b.evaluateBase(evalBase);
            }
            if (earlyStopping != null) {
                b.earlyStopping(earlyStopping, minDelta);
            }
        }
    }

    /** Resumable checkpoints, resuming, the final model, and what happens to an earlier run in --output. */
    static final class CheckpointOptions {
        @Option(names = "--checkpoint-every", paramLabel = "<N>",
                description = "Write a resumable checkpoint to <output>/checkpoints/ every N steps and at the end"
                        + " (default: no checkpoints).")
        Long checkpointEvery;

        @Option(names = "--keep-checkpoints", paramLabel = "<N>",
                description = "Checkpoints kept, the oldest deleted first (default 2; needs --checkpoint-every).")
        Integer keepCheckpoints;

        @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "<checkpoint>",
                description = "Continue the run in --output from its latest checkpoint, or from the checkpoint"
                        + " folder given; use the same data and options as the run that wrote it.")
        String resume;

        @Option(names = "--overwrite",
                description = "Start afresh in an --output that holds another run: its run files (metrics.jsonl,"
                        + " final/, best/, checkpoints/, report files) are deleted first; other files are kept.")
        boolean overwrite;

        @Option(names = "--save-final", negatable = true,
                description = "Save the model after the last step to <output>/final (default on).")
        Boolean saveFinal;

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (checkpointEvery != null) {
                require(spec, checkpointEvery >= 1, "--checkpoint-every must be >= 1 (leave it out for no"
                        + " checkpoints), got " + checkpointEvery);
                b.checkpointEvery(checkpointEvery);
            }
            if (keepCheckpoints != null) {
                require(spec, checkpointEvery != null, "--keep-checkpoints needs --checkpoint-every");
                require(spec, keepCheckpoints >= 1, "--keep-checkpoints must be >= 1, got " + keepCheckpoints);
                b.keepCheckpoints(keepCheckpoints);
            }
            if (saveFinal != null) {
                b.saveFinal(saveFinal);
            }
        }
    }

    /** Negatives re-mined with the model being trained, every N steps, from a corpus. */
    static final class DynamicNegativesOptions {
        private static final Pattern RANGE = Pattern.compile("(\\d+)-(\\d+)");

        @Option(names = "--dynamic-negatives", paramLabel = "<N>",
                description = "Re-mine every example's negatives from --corpus with the current model every N"
                        + " steps (ANCE-style); before the first refresh they are drawn at random from --corpus.")
        Integer refreshEvery;

        @Option(names = "--corpus", paramLabel = "<corpus.jsonl>",
                description = "Documents --dynamic-negatives mines from (BEIR corpus.jsonl).")
        Path corpus;

        @Option(names = "--dynamic-range", paramLabel = "<from-to>", defaultValue = "10-110",
                description = "Rank window [from, to) of the re-mined negatives, 0 = nearest (default: ${DEFAULT-VALUE}).")
        String range;

        @Option(names = "--dynamic-negatives-per-query", paramLabel = "<N>",
                description = "Negatives per example (default: --group-size - 1).")
        Integer negativesPerQuery;

        @Option(names = "--dynamic-relative-margin", paramLabel = "<x>",
                description = "Drop a candidate scoring above (1 - x) times the positive: a likely false negative"
                        + " (default 0 = off).")
        Double relativeMargin;

        boolean enabled() {
            return refreshEvery != null;
        }

        /** @return the first dynamic-negatives option given without --dynamic-negatives, or null */
        String orphan() {
            return corpus != null ? "--corpus" : negativesPerQuery != null ? "--dynamic-negatives-per-query"
                    : relativeMargin != null ? "--dynamic-relative-margin"
                    : !"10-110".equals(range) ? "--dynamic-range" : null;
        }

        void apply(Finetuner.Builder b, CommandSpec spec, int groupSize, long seed) {
            require(spec, refreshEvery >= 1, "--dynamic-negatives must be >= 1 (steps between refreshes), got "
                    + refreshEvery);
            require(spec, corpus != null, "--dynamic-negatives needs --corpus (the documents to mine from)");
            Matcher m = RANGE.matcher(range.strip());
            require(spec, m.matches() && m.group(1).length() < 10 && m.group(2).length() < 10,
                    "--dynamic-range must look like from-to, e.g. 10-110, was '" + range + "'");
            int from = Integer.parseInt(m.group(1));
            int to = Integer.parseInt(m.group(2));
            require(spec, from < to, "--dynamic-range needs from < to, was '" + range + "'");
            int n = negativesPerQuery != null ? negativesPerQuery : Math.max(1, groupSize - 1);
            require(spec, n >= 1, "--dynamic-negatives-per-query must be >= 1, got " + n);
            double margin = relativeMargin != null ? relativeMargin : 0;
            require(spec, margin >= 0 && margin < 1, "--dynamic-relative-margin must be in [0, 1), got " + margin);
            CliSupport.requireFile(corpus, "corpus");
            DynamicNegativeSampler sampler;
            try {
                sampler = DynamicNegativeSampler.builder().refreshEvery(refreshEvery).negativesPerQuery(n)
                        .relativeMargin(margin).seed(seed)
                        .schedule(RankWindowSchedule.constant(RankWindow.of(from, to))).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--dynamic-negatives: " + e.getMessage());
            }
            Corpus docs = CorpusJsonl.read(corpus);
            // the sampler remembers the examples and the corpus at its first (random) draw and re-mines them later
            b.negativeSampler(sampler, docs).dynamicNegatives(sampler);
        }
    }

    /** Cross-batch memory: passage embeddings of recent steps as extra negatives. */
    static final class MemoryOptions {
        @Option(names = "--cross-batch-memory", paramLabel = "<N>",
                description = "Keep the last N passage embeddings (no gradient) as extra negatives (default 0 = off).")
        Integer size;

        @Option(names = "--memory-warmup", paramLabel = "<N>",
                description = "Steps before the memory is used (default 0; needs --cross-batch-memory).")
        Long warmup;

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (size == null) {
                require(spec, warmup == null, "--memory-warmup needs --cross-batch-memory");
                return;
            }
            require(spec, size >= 0, "--cross-batch-memory must be >= 0 (0 = off), got " + size);
            long w = warmup != null ? warmup : 0;
            require(spec, w >= 0, "--memory-warmup must be >= 0, got " + w);
            b.crossBatchMemory(size, w);
        }
    }

    /** Matryoshka training: the loss applied at several leading dimensions of the embedding. */
    static final class MatryoshkaOptions {
        @Option(names = "--matryoshka", paramLabel = "<d1,d2,...>", split = ",",
                description = "Train for these leading embedding dimensions too (e.g. 384,256,128,64); the loss is"
                        + " the weighted sum of the loss at each dimension.")
        List<Integer> dims;

        @Option(names = "--matryoshka-weights", paramLabel = "<w1,w2,...>", split = ",",
                description = "One weight per --matryoshka dimension (default 1 each).")
        List<Double> weights;

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (dims == null) {
                require(spec, weights == null, "--matryoshka-weights needs --matryoshka");
                return;
            }
            List<Double> w = weights != null ? weights : java.util.Collections.nCopies(dims.size(), 1.0);
            require(spec, w.size() == dims.size(), "--matryoshka-weights needs one weight per --matryoshka"
                    + " dimension: " + dims.size() + " dimensions, " + w.size() + " weights");
            b.matryoshka(dims, w);
        }
    }

    /** Guided false-negative masking: a guide model's scores remove likely false negatives from the softmax. */
    static final class GuidedMaskingOptions {
        @Option(names = "--guided-masking",
                description = "Mask in-batch and group candidates that the guide scores above the query's positive"
                        + " (or within --guide-margin below it) out of the softmax; the guide is a frozen copy of"
                        + " --model unless --guide-model is given. The masked count is in metrics.jsonl"
                        + " (masked_candidates) and in the summary. Not with --cross-batch-memory.")
        boolean on;

        @Option(names = "--guide-margin", paramLabel = "<x>",
                description = "How far below the positive's guide score a candidate is still masked (default 0:"
                        + " only candidates scored above the positive).")
        Double margin;

        @Option(names = "--guide-margin-type", paramLabel = "<absolute|relative>",
                description = "absolute: mask when guide > positive - margin; relative: when guide > (1 - margin)"
                        + " * positive (default absolute).")
        String type;

        @Option(names = "--guide-model", paramLabel = "<preset|dir>",
                description = "The guide model (default: a frozen copy of --model taken before the first step).")
        String model;

        /** Checks the flags and sets the option with the default guide (or {@code guide} when loaded). */
        void apply(Finetuner.Builder b, CommandSpec spec, BgeModel guide) {
            if (!on) {
                require(spec, margin == null && type == null && model == null,
                        "--guide-margin, --guide-margin-type and --guide-model need --guided-masking");
                return;
            }
            GuidedMaskingLoss.MarginType t = type == null ? GuidedMaskingLoss.MarginType.ABSOLUTE
                    : switch (type.strip().toLowerCase(Locale.ROOT)) {
                        case "absolute" -> GuidedMaskingLoss.MarginType.ABSOLUTE;
                        case "relative" -> GuidedMaskingLoss.MarginType.RELATIVE;
                        default -> throw new ParameterException(spec.commandLine(),
                                "--guide-margin-type must be absolute or relative, was '" + type + "'");
                    };
            double m = margin != null ? margin : 0.0;
            require(spec, m >= 0 && Double.isFinite(m), "--guide-margin must be a finite value >= 0, got " + m);
            require(spec, t != GuidedMaskingLoss.MarginType.RELATIVE || m < 1,
                    "--guide-margin must be < 1 with --guide-margin-type relative, got " + m);
            b.guidedMasking(guide, m, t);
        }

        /** @return the --guide-model, loaded like --model, or null for the default guide */
        BgeModel load(BgeModel.Loader loader) {
            return on && model != null ? loader.load(model) : null;
        }
    }

    /** The merge ratio measured when the dev set improved but a --guard regressed; every option needs --guard. */
    static final class MergeSearchOptions {
        @Option(names = "--merge-search", negatable = true,
                description = "When --dev improved but a --guard regressed, measure the merge (1-r)*base + r*best at"
                        + " each of --merge-ratios on --dev and that guard, and put the ratio that keeps most of the"
                        + " gain within --max-general-drop into the verdict (default on with --guard; keeps one more"
                        + " copy of the model in memory).")
        Boolean on;

        @Option(names = "--merge-ratios", paramLabel = "<r1,r2,...>", split = ",",
                description = "Tuned weights r the merge search tries, ascending in [0, 1] (default 0,0.25,0.5,0.75,1;"
                        + " 0 and 1 are always measured).")
        List<Double> ratios;

        @Option(names = "--max-general-drop", paramLabel = "<d>",
                description = "Largest accepted fall of the guard's --metric below the base's in the merge search"
                        + " (default 0.01).")
        Double maxGeneralDrop;

        /** @return the first option given, or null */
        String given() {
            return on != null ? "--[no-]merge-search" : ratios != null ? "--merge-ratios"
                    : maxGeneralDrop != null ? "--max-general-drop" : null;
        }

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (on != null) {
                b.mergeSearch(on);
            }
            if (ratios != null) {
                for (int i = 0; i < ratios.size(); i++) {
                    double r = ratios.get(i);
                    require(spec, r >= 0 && r <= 1, "--merge-ratios must lie in [0, 1], got " + r);
                    require(spec, i == 0 || r > ratios.get(i - 1), "--merge-ratios must be ascending without"
                            + " repeats, got " + ratios);
                }
                b.mergeRatios(ratios.stream().mapToDouble(Double::doubleValue).toArray());
            }
            if (maxGeneralDrop != null) {
                require(spec, maxGeneralDrop >= 0 && Double.isFinite(maxGeneralDrop),
                        "--max-general-drop must be a finite value >= 0, got " + maxGeneralDrop);
                b.maxGeneralDrop(maxGeneralDrop);
            }
        }
    }

    /** How teacher scores in the training file are distilled. */
    static final class DistillationOptions {
        @Option(names = "--distillation", paramLabel = "<kl_div|m3_kd>",
                description = "Distillation of teacher scores (pos_scores/neg_scores in --train): kl_div adds a KL"
                        + " term to InfoNCE, m3_kd replaces it with BGE-M3's teacher-weighted loss (default kl_div).")
        String type;

        @Option(names = "--teacher-temperature", paramLabel = "<t>",
                description = "Softmax temperature of the teacher scores (default 1).")
        Double teacherTemperature;

        void apply(Finetuner.Builder b, CommandSpec spec) {
            if (type == null && teacherTemperature == null) {
                return;
            }
            DistillationType t = type == null ? DistillationType.KL_DIV
                    : switch (type.strip().toLowerCase(Locale.ROOT)) {
                        case "kl_div", "kl-div" -> DistillationType.KL_DIV;
                        case "m3_kd", "m3-kd", "m3_kd_loss" -> DistillationType.M3_KD_LOSS;
                        default -> throw new ParameterException(spec.commandLine(),
                                "--distillation must be kl_div or m3_kd, was '" + type + "'");
                    };
            double tt = teacherTemperature != null ? teacherTemperature : 1.0;
            require(spec, tt > 0 && Double.isFinite(tt), "--teacher-temperature must be > 0, got " + tt);
            b.distillation(t, tt);
        }
    }

    @Override
    public Integer call() {
        Metric primary;
        try {
            primary = Metric.parse(metric);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--metric: " + e.getMessage());
        }
        String needsDev = evaluation.needsDev();
        if (dev == null && needsDev != null) {
            throw new ParameterException(spec.commandLine(), needsDev + " needs --dev (a data set to evaluate on)");
        }
        if (!dynamic.enabled() && dynamic.orphan() != null) {
            throw new ParameterException(spec.commandLine(), dynamic.orphan() + " needs --dynamic-negatives N");
        }
        Device dev0 = parseDevice();
        CliSupport.requireFile(train, "training");
        if (dev != null) {
            CliSupport.requireDirectory(dev, "dev data set");
        }
        if (!guards.isEmpty() && dev == null) {
            throw new ParameterException(spec.commandLine(), "--guard needs --dev: a guard is compared next to the dev"
                    + " set's gain, never alone");
        }
        if (guards.isEmpty() && mergeSearch.given() != null) {
            throw new ParameterException(spec.commandLine(), mergeSearch.given() + " needs --guard: the merge search"
                    + " bounds the drop of a general-domain guard that regressed");
        }
        for (Path g : guards) {
            CliSupport.requireDirectory(g, "guard data set");
        }
        if (Files.isRegularFile(output)) {
            throw new IllegalArgumentException("output must be a directory, but is a file: " + output);
        }
        TrainingSet set = TrainingSet.readJsonl(train);
        Finetuner.Builder b = Finetuner.builder().trainingSet(set).outputDir(output);
        apply(b); // every flag is checked here; --output is changed only once the Finetuner is built
        FinetuneOutput.Plan plan = FinetuneOutput.prepare(spec, output, checkpoints.resume, checkpoints.overwrite);
        Path resumeFrom = plan.resumeFrom();
        if (resumeFrom != null) {
            b.resumeFrom(resumeFrom);
        }
        PrintWriter out = spec.commandLine().getOut();
        BgeModel.Loader loader = BgeModel.loader();
        if (dev0 != null) {
            loader.device(dev0);
        }
        try (BgeModel base = loader.load(model); BgeModel guide = guided.load(loader)) {
            b.model(base);
            if (guide != null) {
                guided.apply(b, spec, guide);
            }
            if (dev != null) {
                BeirDataset ds = BeirDataset.load(dev, devSplit);
                List<Metric> metrics = new ArrayList<>(Metric.defaults());
                metrics.add(primary);
                RetrievalEvaluator evaluator = RetrievalEvaluator.builder().name("dev").queries(ds.queries())
                        .corpus(ds.corpus()).qrels(ds.qrels()).metrics(metrics).build();
                b.evaluator(evaluator, primary);
                out.printf("dev: %s split '%s', %d queries, %d documents%n", dev, devSplit, evaluator.queryIds().size(),
                        ds.corpus().size());
            }
            for (Path g : guards) {
                BeirDataset gs = BeirDataset.load(g, guardSplit);
                List<Metric> metrics = new ArrayList<>(Metric.defaults());
                metrics.add(primary);
                String name = "guard:" + (g.getFileName() == null ? g : g.getFileName());
                b.guardEvaluator(RetrievalEvaluator.builder().name(name).queries(gs.queries()).corpus(gs.corpus())
                        .qrels(gs.qrels()).metrics(metrics).build());
                out.printf("guard: %s split '%s', %d queries, %d documents%n", g, guardSplit, gs.queries().size(),
                        gs.corpus().size());
            }
            if (resumeFrom != null) {
                out.println("resuming from " + resumeFrom);
            }
            if (!noProgress) {
                b.listener(ConsoleProgress.builder(out).interactive(System.console() != null).build());
            }
            Finetuner finetuner = b.build();
            plan.deleteEarlierRun();
            out.flush();
            FinetuneResult r = finetuner.fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
            printSummary(out, r);
            FinetuneOutput.printVerdict(out, r, output);
        }
        out.flush();
        return 0;
    }

    /** @return the device --device names, or null for the engine's default */
    private Device parseDevice() {
        if (device == null) {
            return null;
        }
        String d = device.strip().toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = Pattern.compile("gpu(?::(\\d{1,3}))?").matcher(d);
        if (!m.matches()) {
            throw new ParameterException(spec.commandLine(), "--device must be cpu, gpu or gpu:N, was '" + device + "'");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new IllegalArgumentException("--device " + device + ": the engine sees " + gpus + " GPU"
                    + (gpus == 1 ? "" : "s") + (gpus == 0 ? "; use --device cpu" : " (gpu:0 to gpu:" + (gpus - 1) + ")"));
        }
        return Device.gpu(index);
    }

    /** Passes every option that was given to the builder, one to one (--resume is set once --output is checked). */
    void apply(Finetuner.Builder b) {
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (maxSteps != null) {
            b.maxSteps(maxSteps);
        }
        if (batchSize != null) {
            b.batchSize(batchSize);
        }
        if (groupSize != null) {
            b.groupSize(groupSize);
        }
        if (learningRate != null) {
            b.learningRate(learningRate);
        }
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (queryMaxLength != null) {
            b.queryMaxLength(queryMaxLength);
        }
        if (passageMaxLength != null) {
            b.passageMaxLength(passageMaxLength);
        }
        if (keyedDropout != null) {
            b.keyedDropout(keyedDropout);
        }
        if (gradientCache != null) {
            b.gradientCache(gradientCache);
        }
        if (inBatchNegatives != null) {
            b.inBatchNegatives(inBatchNegatives);
        }
        if (lengthBucketing != null) {
            b.lengthBucketing(lengthBucketing);
        }
        if (seed != null) {
            b.seed(seed);
        }
        optimizer.apply(b, spec);
        evaluation.apply(b);
        checkpoints.apply(b, spec);
        memory.apply(b, spec);
        distillation.apply(b, spec);
        matryoshka.apply(b, spec);
        guided.apply(b, spec, null);
        mergeSearch.apply(b, spec);
        if (dynamic.enabled()) {
            dynamic.apply(b, spec, groupSize != null ? groupSize : 8, seed != null ? seed : 42);
        }
    }

    static void require(CommandSpec spec, boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private void printSummary(PrintWriter out, FinetuneResult r) {
        out.printf("stop reason: %s after %d steps%n", r.stopReason(), r.stepsTaken());
        if (guided.on) {
            out.printf("guided masking: %d candidates masked in %d steps%n",
                    r.steps().stream().mapToLong(StepRecord::maskedCandidates).sum(), r.steps().size());
        }
        r.bestEvaluation().ifPresent(best -> out.printf("best dev %s = %s at step %d%n", best.primaryMetric(),
                CliSupport.fmt(best.primaryValue()), best.step()));
        Path best = output.resolve("best");
        Path fin = output.resolve("final");
        if (Files.isDirectory(best)) {
            out.println("best model:  " + best);
        }
        if (Files.isDirectory(fin)) {
            out.println("final model: " + fin);
        }
        out.println("metrics log: " + output.resolve("metrics.jsonl"));
    }
}
