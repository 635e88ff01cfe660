package io.bge4j.train.merge;

import io.bge4j.eval.EvaluationResult;
import java.util.Objects;
import java.util.Optional;

/**
 * One measured point of a {@link MergeRatioSearch}: the merge {@code (1 − r)·base + r·tuned} and its scores.
 *
 * <p>Usage: {@code double t = point.target().primaryValue();}
 *
 * @param tunedWeight r: 0 is the base model, 1 the tuned one
 * @param target the result on the target (dev) evaluator
 * @param general the result on the general-domain evaluator, or null when none was given
 */
public record RatioPoint(double tunedWeight, EvaluationResult target, EvaluationResult general) {

    /** Checks the target result. */
    public RatioPoint {
        Objects.requireNonNull(target, "target");
    }

    /** @return the general-domain result, when measured */
    public Optional<EvaluationResult> optionalGeneral() {
        return Optional.ofNullable(general);
    }
}
