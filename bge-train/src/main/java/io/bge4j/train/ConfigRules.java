package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.core.BgePreset;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.train.loss.EmbeddingLoss;
import io.bge4j.train.loss.GuidedMaskingLoss;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.MatryoshkaLoss;
import io.bge4j.train.report.Fingerprints;
import java.util.Objects;

/**
 * The rules of a {@link FinetuneConfig}: {@link #check} runs when the record is built (the builder's
 * {@code build()}), {@link #resolve} when a run starts and the model is known. Both name the option.
 */
final class ConfigRules {

    private ConfigRules() {}

    static void check(FinetuneConfig c) {
        require(c.trainingSet() == null || !c.trainingSet().isEmpty(), "trainingSet", "is empty");
        require(c.batchSize() >= 1, "batchSize", "must be >= 1, got " + c.batchSize());
        require(c.groupSize() >= 1, "groupSize", "must be >= 1, got " + c.groupSize());
        require(c.temperature() > 0 && Double.isFinite(c.temperature()), "temperature",
                "must be > 0, got " + c.temperature());
        require(c.queryMaxLength() == null || c.queryMaxLength() >= 2, "queryMaxLength",
                "must be >= 2, got " + c.queryMaxLength());
        require(c.passageMaxLength() == null || c.passageMaxLength() >= 2, "passageMaxLength",
                "must be >= 2, got " + c.passageMaxLength());
        if (c.model() != null) {
            checkAgainstModel(c, c.model());
        }
        Double lr = c.learningRate();
        require(lr == null || (lr > 0 && lr < 1), "learningRate", "must be in (0, 1), got " + lr);
        require(c.weightDecay() >= 0, "weightDecay", "must be >= 0, got " + c.weightDecay());
        require(c.warmupRatio() >= 0 && c.warmupRatio() < 1, "warmupRatio", "must be in [0, 1), got " + c.warmupRatio());
        require(c.schedule() != null, "schedule", "must not be null");
        require(c.maxGradNorm() >= 0, "maxGradNorm", "must be >= 0 (0 disables clipping), got " + c.maxGradNorm());
        require(c.epochs() >= 1, "epochs", "must be >= 1, got " + c.epochs());
        require(c.maxSteps() == -1 || c.maxSteps() >= 1, "maxSteps", "must be >= 1, got " + c.maxSteps());
        require(c.gradientAccumulation() >= 1, "gradientAccumulation", "must be >= 1, got " + c.gradientAccumulation());
        require(c.gradientCacheMiniBatch() >= 0, "gradientCache", "must be >= 0, got " + c.gradientCacheMiniBatch());
        require(c.memorySize() >= 0 && c.memoryWarmup() >= 0, "crossBatchMemory", "size and warmup must be >= 0");
        require(c.evaluator() == null || c.primaryMetric() != null, "evaluator", "needs a primary metric");
        require(c.guardEvaluators().stream().allMatch(java.util.Objects::nonNull), "guardEvaluator", "must not be null");
        require(c.guardEvaluators().isEmpty() || c.evaluator() != null, "guardEvaluator",
                "needs an evaluator(target, metric): a guard is compared next to the target, never alone");
        require(c.evaluateEvery() >= 0, "evaluateEvery", "must be >= 0, got " + c.evaluateEvery());
        require(c.patience() == -1 || c.patience() >= 1, "earlyStopping", "patience must be >= 1, got " + c.patience());
        require(c.patience() == -1 || c.evaluator() != null, "earlyStopping", "needs an evaluator");
        require(c.minDelta() >= 0, "earlyStopping", "minDelta must be >= 0, got " + c.minDelta());
        require(c.checkpointEvery() >= 0, "checkpointEvery", "must be >= 0, got " + c.checkpointEvery());
        require(c.checkpointEvery() == 0 || c.outputDir() != null, "checkpointEvery", "needs an outputDir");
        require(c.keepCheckpoints() >= 1, "keepCheckpoints", "must be >= 1, got " + c.keepCheckpoints());
        require(c.distillation() != null, "distillation", "must not be null");
        require(c.teacherTemperature() > 0, "distillation",
                "teacher temperature must be > 0, got " + c.teacherTemperature());
        require(c.negativeSampler() == null || c.samplerCorpus() != null, "negativeSampler", "needs a corpus");
        if (c.dynamicNegatives() instanceof NegativeSampler s) {
            require(c.negativeSampler() == s, "dynamicNegatives", "is a NegativeSampler that must first sample the"
                    + " examples it later re-mines: pass the same object to negativeSampler(dynamic, corpus)");
        }
        require(!(c.batchSize() == 1 && c.groupSize() == 1 && c.memorySize() == 0), "batchSize",
                "1 with groupSize 1 leaves every query without a negative: InfoNCE is identically 0."
                        + " Use groupSize > 1 with mined negatives, or a larger batch");
        require(c.loss() != null || c.inBatchNegatives() || c.groupSize() > 1 || c.memorySize() > 0, "groupSize",
                "must be > 1 when in-batch negatives are off (otherwise InfoNCE is identically 0)");
        checkGuidedMasking(c);
        checkMergeSearch(c);
        if (!c.matryoshkaDims().isEmpty() || !c.matryoshkaWeights().isEmpty()) {
            try {
                MatryoshkaLoss.of(baseLoss(c), c.matryoshkaDims(), c.matryoshkaWeights());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("matryoshka " + e.getMessage(), e);
            }
            if (c.model() != null) {
                int max = c.matryoshkaDims().stream().mapToInt(Integer::intValue).max().orElse(0);
                require(max <= c.model().dimension(), "matryoshka",
                        "dimension " + max + " exceeds the model's dimension " + c.model().dimension());
            }
        }
    }

    /** The options that depend on the model, checked (and defaulted) for the model of this run. */
    static RunSettings resolve(FinetuneConfig c, BgeModel model, TrainingSet set) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(set, "trainingSet");
        require(!set.isEmpty(), "trainingSet", "is empty");
        checkAgainstModel(c, model);
        require(!c.guidedMasking() || c.guideModel() != model, "guidedMasking", "guide is the model being trained,"
                + " so it would not stay fixed; leave the guide out for a frozen copy of it, or pass another model");
        int max = c.matryoshkaDims().stream().mapToInt(Integer::intValue).max().orElse(0);
        require(max <= model.dimension(), "matryoshka",
                "dimension " + max + " exceeds the model's dimension " + model.dimension());
        int q = c.queryMaxLength() != null ? c.queryMaxLength() : Math.min(64, model.maxLength());
        int p = c.passageMaxLength() != null ? c.passageMaxLength() : Math.min(256, model.maxLength());
        double lr = c.learningRate() != null ? c.learningRate() : Finetuner.defaultLearningRate(model.sizeClass());
        EmbeddingLoss loss = baseLoss(c);
        if (!c.matryoshkaDims().isEmpty()) {
            loss = MatryoshkaLoss.of(loss, c.matryoshkaDims(), c.matryoshkaWeights());
        }
        return new RunSettings(c, model, set, q, p, lr, loss, guideIdentity(c, model));
    }

    /**
     * The guide as the run fingerprint records it: the default guide is a frozen copy of {@code model}
     * taken when the run starts, so it is fingerprinted now, before any update (a resume copies the guide
     * from the model it is given, before the checkpoint's weights are loaded); a given guide is never
     * trained, so its weights are its identity.
     */
    static String guideIdentity(FinetuneConfig c, BgeModel model) {
        if (!c.guidedMasking()) {
            return "none";
        }
        BgeModel given = c.guideModel();
        if (given == null) {
            return "frozen copy of the starting model, weights " + Fingerprints.model(model);
        }
        return "given model " + given.name() + " (dim " + given.dimension() + "), weights " + Fingerprints.model(given);
    }

    private static void checkMergeSearch(FinetuneConfig c) {
        require(!c.mergeSearch() || !c.guardEvaluators().isEmpty(), "mergeSearch", "needs a guardEvaluator: the"
                + " search bounds the drop of a general-domain guard that regressed");
        require(!c.mergeRatios().isEmpty(), "mergeRatios", "must not be empty (0 and 1 are always measured)");
        double previous = Double.NEGATIVE_INFINITY;
        for (double r : c.mergeRatios()) {
            require(r >= 0 && r <= 1, "mergeRatios", "must lie in [0, 1], got " + r + " in " + c.mergeRatios());
            require(r > previous, "mergeRatios", "must be ascending without repeats, got " + c.mergeRatios());
            previous = r;
        }
        require(c.maxGeneralDrop() >= 0 && Double.isFinite(c.maxGeneralDrop()), "maxGeneralDrop",
                "must be a finite value >= 0, got " + c.maxGeneralDrop());
    }

    private static void checkGuidedMasking(FinetuneConfig c) {
        require(c.guidedMasking() || !(c.loss() instanceof GuidedMaskingLoss), "loss", "is a GuidedMaskingLoss, but"
                + " without a guide no guide scores reach it and it masks nothing; use guidedMasking(margin, type)"
                + " (it builds that loss from temperature and inBatchNegatives) instead of loss(...)");
        if (!c.guidedMasking()) {
            return;
        }
        require(c.loss() == null, "guidedMasking", "replaces the default loss with GuidedMaskingLoss and cannot be"
                + " combined with loss(...); drop one of them");
        require(c.memorySize() == 0, "guidedMasking", "cannot be combined with crossBatchMemory: the guide has not"
                + " scored the memory's negatives; set crossBatchMemory(0, 0) or drop guidedMasking");
        require(c.guideModel() == null || c.guideModel() != c.model(), "guidedMasking", "guide is the model being"
                + " trained, so it would not stay fixed; leave the guide out for a frozen copy of it, or pass another model");
        try {
            guidedLoss(c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("guidedMasking " + e.getMessage(), e);
        }
    }

    private static GuidedMaskingLoss guidedLoss(FinetuneConfig c) {
        return GuidedMaskingLoss.builder().temperature(c.temperature()).inBatchNegatives(c.inBatchNegatives())
                .margin(c.guideMargin()).marginType(c.guideMarginType()).build();
    }

    private static EmbeddingLoss baseLoss(FinetuneConfig c) {
        if (c.loss() != null) {
            return c.loss();
        }
        if (c.guidedMasking()) {
            return guidedLoss(c);
        }
        return InfoNceLoss.builder().temperature(c.temperature()).inBatchNegatives(c.inBatchNegatives())
                .distillation(c.distillation()).teacherTemperature(c.teacherTemperature()).build();
    }

    private static void checkAgainstModel(FinetuneConfig c, BgeModel model) {
        int max = model.maxLength();
        Integer q = c.queryMaxLength();
        Integer p = c.passageMaxLength();
        require(q == null || q <= max, "queryMaxLength", "must be in [2, " + max + "], got " + q);
        require(p == null || p <= max, "passageMaxLength", "must be in [2, " + max + "], got " + p);
    }

    static double defaultLearningRate(BgePreset.SizeClass size) {
        return switch (size) {
            case SMALL -> 3e-5;
            case BASE -> 2e-5;
            case LARGE -> 1e-5;
        };
    }

    static void require(boolean ok, String option, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(option + " " + problem);
        }
    }
}
