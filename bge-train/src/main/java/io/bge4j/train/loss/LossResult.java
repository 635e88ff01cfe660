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
 * @param maskedCandidates how many (query, candidate) pairs the loss removed from its softmax as likely
 *     false negatives ({@link GuidedMaskingLoss}); 0 for losses that mask nothing
 */
public record LossResult(NDArray loss, NDArray contrastive, NDArray distillation, NDArray scores,
        long maskedCandidates) {

    /** Requires the loss and the scores, and a non-negative masked count. */
    public LossResult {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(scores, "scores");
        if (maskedCandidates < 0) {
            throw new IllegalArgumentException("maskedCandidates must be >= 0, got " + maskedCandidates);
        }
    }

    /**
     * A result that masked nothing.
     *
     * @param loss the scalar to back-propagate
     * @param contrastive the InfoNCE part or {@code null}
     * @param distillation the distillation part or {@code null}
     * @param scores the logits
     */
    public LossResult(NDArray loss, NDArray contrastive, NDArray distillation, NDArray scores) {
        this(loss, contrastive, distillation, scores, 0L);
    }
}
