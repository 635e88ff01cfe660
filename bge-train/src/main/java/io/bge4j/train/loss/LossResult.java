package io.bge4j.train.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * What {@link InfoNceLoss#compute(LossInput)} produced for one step. Every array belongs to the
 * manager of the step's query embeddings.
 *
 * <p>Usage: {@code LossResult r = loss.compute(in); collector.backward(r.loss()); double l = r.loss().getDouble();}
 *
 * @param loss the scalar to back-propagate
 * @param contrastive the scalar InfoNCE part, or {@code null} when the distillation type replaces it
 *     ({@link DistillationType#M3_KD_LOSS})
 * @param distillation the scalar distillation part, or {@code null} when the batch had no teacher scores
 * @param scores the B×C logits the cross-entropy saw: in-batch B×(B·G) or group-only B×G, then the M
 *     extra-negative columns; masked extra entries hold the data type's lowest finite value
 */
public record LossResult(NDArray loss, NDArray contrastive, NDArray distillation, NDArray scores) {

    /** Requires the loss and the scores. */
    public LossResult {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(scores, "scores");
    }
}
