package io.bge4j.train;

/**
 * The geometry of a fine-tune, known before the first step.
 *
 * <p>Usage: {@code listener.onStart(plan); plan.totalSteps()}
 *
 * @param examples training examples
 * @param batchSize queries per micro-batch
 * @param groupSize passages per query (1 positive + G-1 negatives)
 * @param gradientAccumulation micro-batches per optimizer step
 * @param stepsPerEpoch optimizer steps per epoch
 * @param totalSteps optimizer steps planned
 * @param startStep the first step (greater than 0 when resuming)
 */
public record TrainingPlan(int examples, int batchSize, int groupSize, int gradientAccumulation, long stepsPerEpoch,
        long totalSteps, long startStep) {}
