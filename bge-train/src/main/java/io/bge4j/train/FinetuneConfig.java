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
import io.bge4j.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;

/**
 * The immutable options of a fine-tune, as {@link Finetuner.Builder#build()} checked them. Options
 * that depend on the model ({@code queryMaxLength}, {@code passageMaxLength}, {@code learningRate})
 * are {@code null} when not set and are resolved for each run from the model that run trains.
 * See {@link Finetuner.Builder} for the meaning and default of every component.
 *
 * <p>Usage: {@code FinetuneConfig c = finetuner.config(); c.batchSize()}
 *
 * @param model the model {@link Finetuner#fit()} trains, or {@code null} (then use {@link Finetuner#fit(BgeModel, TrainingSet)})
 * @param trainingSet the examples {@link Finetuner#fit()} uses, or {@code null}
 * @param negativeSampler sampler applied before training, or {@code null}
 * @param samplerCorpus its corpus, or {@code null}
 * @param dynamicNegatives the refresher called during training, or {@code null}
 * @param batchSize queries per micro-batch
 * @param groupSize passages per query
 * @param temperature InfoNCE temperature
 * @param queryMaxLength query token budget, or {@code null} for the per-model default
 * @param passageMaxLength passage token budget, or {@code null} for the per-model default
 * @param inBatchNegatives whether all passages of the batch are negatives
 * @param learningRate peak learning rate, or {@code null} for the per-model default
 * @param weightDecay decoupled weight decay
 * @param warmupRatio warm-up fraction
 * @param schedule decay after warm-up
 * @param maxGradNorm clipping norm (0 = off)
 * @param epochs passes over the data
 * @param maxSteps step limit, or -1
 * @param gradientAccumulation micro-batches per step
 * @param seed the seed of every random choice
 * @param outputDir where files go, or {@code null}
 * @param listeners listeners, in order
 * @param gradientCacheMiniBatch GradCache chunk size (0 = off)
 * @param memorySize cross-batch memory entries (0 = off)
 * @param memoryWarmup steps (0-based) before the memory serves negatives
 * @param evaluator the evaluator, or {@code null}
 * @param primaryMetric the metric that selects the best model, or {@code null}
 * @param evaluateEvery evaluation interval in steps (0 = per epoch)
 * @param evaluateEachEpoch whether to evaluate at each epoch end
 * @param patience early-stopping patience, or -1
 * @param minDelta the smallest gain that counts for early stopping
 * @param checkpointEvery checkpoint interval (0 = only at the end)
 * @param keepCheckpoints checkpoints kept
 * @param resumeFrom checkpoint to resume from, or {@code null}
 * @param distillation how teacher scores are used by the default loss
 * @param teacherTemperature teacher softmax temperature of the default loss
 * @param evaluateBase whether to evaluate before the first step
 * @param saveFinal whether to save {@code outputDir/final}
 * @param lengthBucketing whether batches group similar passage lengths
 * @param loss a custom loss replacing the default InfoNCE, or {@code null}
 * @param matryoshkaDims dimensions the default (or custom) loss is also applied at, empty for none
 * @param matryoshkaWeights one weight per Matryoshka dimension
 * @param guidedMasking whether the default loss is {@link GuidedMaskingLoss} fed by a guide model
 * @param guideModel the guide, or {@code null} for a frozen copy of the trained model taken when each run starts
 * @param guideMargin the masking margin (absolute, or a fraction of the positive's guide score)
 * @param guideMarginType how the margin applies, or {@code null} when guided masking is off
 * @param guardEvaluators general-domain regression guards: evaluated on the base before training and on the best
 *     model after it, never used to pick the model; empty for none
 * @param keyedDropout whether dropout masks are a function of (seed, micro-batch, text): {@code null} = on for
 *     GradCache steps, off for plain steps
 * @param mergeSearch whether a run whose target improved while a guard regressed measures the base/tuned merge ratio
 *     ({@link io.bge4j.train.merge.VerdictMerge}); on by default when guards are set
 * @param mergeRatios the tuned weights that search tries, ascending in [0, 1] (0 and 1 are always measured)
 * @param maxGeneralDrop the largest accepted fall of the regressed guard's score below the base's in that search
 */
public record FinetuneConfig(
        BgeModel model,
        TrainingSet trainingSet,
        NegativeSampler negativeSampler,
        Corpus samplerCorpus,
        NegativeRefresher dynamicNegatives,
        int batchSize,
        int groupSize,
        double temperature,
        Integer queryMaxLength,
        Integer passageMaxLength,
        boolean inBatchNegatives,
        Double learningRate,
        double weightDecay,
        double warmupRatio,
        LearningRateSchedule.Decay schedule,
        double maxGradNorm,
        int epochs,
        long maxSteps,
        int gradientAccumulation,
        long seed,
        Path outputDir,
        List<TrainingListener> listeners,
        int gradientCacheMiniBatch,
        int memorySize,
        long memoryWarmup,
        Evaluator evaluator,
        Metric primaryMetric,
        long evaluateEvery,
        boolean evaluateEachEpoch,
        int patience,
        double minDelta,
        long checkpointEvery,
        int keepCheckpoints,
        Path resumeFrom,
        DistillationType distillation,
        double teacherTemperature,
        boolean evaluateBase,
        boolean saveFinal,
        boolean lengthBucketing,
        EmbeddingLoss loss,
        List<Integer> matryoshkaDims,
        List<Double> matryoshkaWeights,
        boolean guidedMasking,
        BgeModel guideModel,
        double guideMargin,
        GuidedMaskingLoss.MarginType guideMarginType,
        List<Evaluator> guardEvaluators,
        Boolean keyedDropout,
        boolean mergeSearch,
        List<Double> mergeRatios,
        double maxGeneralDrop) {

    /** Copies the lists; {@link Finetuner.Builder#build()} validates every option. */
    public FinetuneConfig {
        listeners = List.copyOf(listeners);
        matryoshkaDims = List.copyOf(matryoshkaDims);
        matryoshkaWeights = List.copyOf(matryoshkaWeights);
        guardEvaluators = List.copyOf(guardEvaluators);
        mergeRatios = List.copyOf(mergeRatios);
    }
}
