package io.bge4j.train.report;

import java.util.Objects;

/**
 * How training went, as recorded in {@link Provenance#training()}.
 *
 * <p>Usage: {@code double seconds = provenance.training().seconds();}
 *
 * @param steps optimizer steps taken
 * @param stopReason COMPLETED, EARLY_STOPPED or NON_FINITE_LOSS
 * @param seconds wall-clock training time
 * @param bestStep the step of the best evaluation, or null without an evaluator
 * @param bestValue the primary metric there, or null
 */
public record TrainingSummary(long steps, String stopReason, double seconds, Long bestStep, Double bestValue) {
    /** Requires the stop reason. */
    public TrainingSummary {
        Objects.requireNonNull(stopReason, "stopReason");
    }
}
