package io.bge4j.train;

/**
 * One optimizer step, as written to {@code metrics.jsonl}.
 *
 * <p>Usage: {@code listener.onStep(r); r.loss()}
 *
 * @param step 1-based step number
 * @param epoch 0-based epoch
 * @param loss total loss of the step (mean over micro-batches)
 * @param contrastiveLoss the InfoNCE part
 * @param distillationLoss the KD part (0 when no teacher scores)
 * @param learningRate the rate used for this step
 * @param gradNorm global gradient norm before clipping
 * @param examplesPerSecond queries per second over the step
 * @param tokensPerSecond non-padding tokens (queries + passages) per second
 * @param maskedCandidates (query, candidate) pairs guided masking removed from the softmax in this step,
 *     summed over its micro-batches (0 without {@code guidedMasking})
 * @param paddingEfficiency real / processed tokens of the step (processed = texts × the length each set of
 *     texts encoded together was padded to), in (0, 1]; NaN when not measured
 */
public record StepRecord(long step, int epoch, double loss, double contrastiveLoss, double distillationLoss,
        double learningRate, double gradNorm, double examplesPerSecond, double tokensPerSecond,
        long maskedCandidates, double paddingEfficiency) {

    /**
     * A step that masked nothing and whose padding was not measured ({@link #paddingEfficiency()} NaN).
     *
     * @param step 1-based step number
     * @param epoch 0-based epoch
     * @param loss total loss
     * @param contrastiveLoss the InfoNCE part
     * @param distillationLoss the KD part
     * @param learningRate the rate used
     * @param gradNorm gradient norm before clipping
     * @param examplesPerSecond queries per second
     * @param tokensPerSecond real (non-padding) tokens per second
     */
    public StepRecord(long step, int epoch, double loss, double contrastiveLoss, double distillationLoss,
            double learningRate, double gradNorm, double examplesPerSecond, double tokensPerSecond) {
        this(step, epoch, loss, contrastiveLoss, distillationLoss, learningRate, gradNorm, examplesPerSecond,
                tokensPerSecond, 0L, Double.NaN);
    }
}
