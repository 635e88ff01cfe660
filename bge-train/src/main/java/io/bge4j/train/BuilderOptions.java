package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.NegativeRefresher;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.train.loss.DistillationType;
import io.bge4j.train.loss.EmbeddingLoss;
import io.bge4j.train.loss.GuidedMaskingLoss;
import io.bge4j.train.merge.VerdictMerge;
import io.bge4j.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a {@link Finetuner.Builder} has been told so far, with the defaults of the builder's
 * documentation; {@link #toConfig()} freezes it into the immutable {@link FinetuneConfig} (which
 * {@link ConfigRules#check} then validates). Mutable and confined to one builder.
 */
final class BuilderOptions {

    BgeModel model;
    TrainingSet trainingSet;
    NegativeSampler sampler;
    Corpus corpus;
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
    int memory;
    long warmup;
    Evaluator evaluator;
    Metric primary;
    long evaluateEvery;
    Boolean evaluateEachEpoch;
    int patience = -1;
    double minDelta;
    long checkpointEvery;
    int keepCheckpoints = 2;
    Path resumeFrom;
    DistillationType kd = DistillationType.KL_DIV;
    double kdTau = 1.0;
    boolean evaluateBase = true;
    boolean saveFinal = true;
    boolean lengthBucketing;
    NegativeRefresher dynamicNegatives;
    EmbeddingLoss loss;
    List<Integer> matryoshkaDims = List.of();
    List<Double> matryoshkaWeights = List.of();
    boolean guidedMasking;
    BgeModel guideModel;
    double guideMargin;
    GuidedMaskingLoss.MarginType guideMarginType;
    final List<Evaluator> guards = new ArrayList<>();
    Boolean keyedDropout;
    Boolean mergeSearch;
    List<Double> mergeRatios = boxed(VerdictMerge.defaultRatios());
    double maxGeneralDrop = VerdictMerge.DEFAULT_MAX_GENERAL_DROP;

    /** Guided masking with {@code guide} ({@code null} for the default frozen copy). */
    void guidedMasking(BgeModel guide, double margin, GuidedMaskingLoss.MarginType type) {
        guidedMasking = true;
        guideModel = guide;
        guideMargin = margin;
        guideMarginType = type;
    }

    static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** @return the options as a record (lists copied); nothing here is validated */
    FinetuneConfig toConfig() {
        return new FinetuneConfig(model, trainingSet, sampler, corpus, dynamicNegatives,
                batchSize, groupSize, temperature, queryMaxLength, passageMaxLength, inBatchNegatives, learningRate,
                weightDecay, warmupRatio, schedule, maxGradNorm, epochs, maxSteps, gradientAccumulation, seed,
                outputDir, listeners, gradientCacheMiniBatch, memory, warmup, evaluator, primary,
                evaluateEvery, evaluateEachEpoch == null ? evaluateEvery == 0 : evaluateEachEpoch, patience,
                minDelta, checkpointEvery, keepCheckpoints, resumeFrom, kd, kdTau,
                evaluateBase, saveFinal, lengthBucketing, loss, matryoshkaDims, matryoshkaWeights, guidedMasking,
                guideModel, guideMargin, guideMarginType, guards,
                keyedDropout, mergeSearch == null ? !guards.isEmpty() : mergeSearch, mergeRatios, maxGeneralDrop);
    }
}
