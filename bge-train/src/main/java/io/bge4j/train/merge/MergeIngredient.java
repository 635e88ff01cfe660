package io.bge4j.train.merge;

import java.util.Objects;

/**
 * One model of a merge and its weight.
 *
 * <p>Usage: {@code new MergeIngredient("runs/demo/model", 0.6)}
 *
 * @param source a preset name or a model directory, as given
 * @param weight its coefficient in {@code θ = Σ wᵢ θᵢ}; finite and non-negative
 */
public record MergeIngredient(String source, double weight) {

    /** Validates the weight. */
    public MergeIngredient {
        Objects.requireNonNull(source, "source");
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException("merge weight of " + source + " must be finite and >= 0, was " + weight);
        }
    }
}
