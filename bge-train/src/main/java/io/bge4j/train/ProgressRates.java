package io.bge4j.train;

import io.bge4j.train.plan.ProgressEstimator;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The measured side of {@link ConsoleProgress}: the wall time between steps and evaluations fed to a
 * {@link ProgressEstimator} (ETA, the one long-run warning), and the bias-corrected exponential moving
 * averages of loss and throughput.
 */
final class ProgressRates {

    private final double smoothing;
    private final LongSupplier clock;
    private final Duration longRun;
    private final int queryMaxLength;
    private final int passageMaxLength;

    private TrainingPlan plan;
    private ProgressEstimator estimator;
    private long startNanos;
    private long markNanos;
    private boolean warned;
    private double lossAverage;
    private double speedAverage;
    private double tokenAverage;
    private double weight;

    ProgressRates(double smoothing, LongSupplier clock, Duration longRun, int queryMaxLength, int passageMaxLength) {
        this.smoothing = smoothing;
        this.clock = clock;
        this.longRun = longRun;
        this.queryMaxLength = queryMaxLength;
        this.passageMaxLength = passageMaxLength;
    }

    /** A run starts: a fresh estimator and clock mark (the moving averages carry on). */
    void start(TrainingPlan p) {
        this.plan = p;
        this.startNanos = clock.getAsLong();
        this.markNanos = startNanos;
        long total = Math.max(1, p.totalSteps());
        this.estimator = ProgressEstimator.builder().totalSteps(total).startStep(Math.min(total, p.startStep())).build();
        this.warned = false;
    }

    /**
     * Measures a step and updates the averages.
     *
     * @return the long-run warning line, the first time the estimate predicts a run past the threshold
     */
    Optional<String> step(StepRecord r) {
        Optional<String> warning = measure(r);
        weight = smoothing * weight + (1 - smoothing);
        lossAverage = smoothing * lossAverage + (1 - smoothing) * r.loss();
        speedAverage = smoothing * speedAverage + (1 - smoothing) * r.examplesPerSecond();
        tokenAverage = smoothing * tokenAverage + (1 - smoothing) * r.tokensPerSecond();
        return warning;
    }

    /** An evaluation ended at {@code step}: its time since the last mark goes to the estimator. */
    void evaluation(long step) {
        long now = clock.getAsLong();
        if (estimator != null) {
            estimator.recordEvaluation(Math.max(0, (now - markNanos) / 1e9), step);
        }
        markNanos = now;
    }

    /** @return the seconds left after {@code step}, or NaN before the first measured step */
    double eta(long step, long start) {
        if (estimator == null || step <= start) {
            return Double.NaN;
        }
        return estimator.estimate().map(ProgressEstimator.Estimate::remainingSeconds).orElse(Double.NaN);
    }

    double loss() {
        return lossAverage / weight;
    }

    double examplesPerSecond() {
        return speedAverage / weight;
    }

    double tokensPerSecond() {
        return tokenAverage / weight;
    }

    /** @return seconds since the run started */
    double elapsedSeconds() {
        return (clock.getAsLong() - startNanos) / 1e9;
    }

    /**
     * Feeds the estimator with the wall time since the previous step or evaluation. The step's own tokens come
     * from its record: real = tokens/s × its compute seconds (queries / examples per second), processed =
     * real / padding efficiency.
     */
    private Optional<String> measure(StepRecord r) {
        long now = clock.getAsLong();
        double secs = Math.max(0, (now - markNanos) / 1e9);
        markNanos = now;
        if (estimator == null) {
            return Optional.empty();
        }
        int queries = plan.batchSize() * Math.max(1, plan.gradientAccumulation());
        double own = r.examplesPerSecond() > 0 && Double.isFinite(r.examplesPerSecond())
                ? queries / r.examplesPerSecond() : secs;
        long real = Double.isFinite(r.tokensPerSecond()) && r.tokensPerSecond() > 0
                ? Math.round(r.tokensPerSecond() * own) : 0;
        double eff = r.paddingEfficiency();
        long processed = Double.isFinite(eff) && eff > 0 ? Math.max(real, Math.round(real / eff)) : real;
        estimator.recordStep(secs, queries, real, processed);
        if (warned) {
            return Optional.empty();
        }
        long epochs = plan.stepsPerEpoch() > 0 ? (plan.totalSteps() + plan.stepsPerEpoch() - 1) / plan.stepsPerEpoch()
                : 1;
        Optional<String> w = estimator.longRunWarning(longRun, new ProgressEstimator.RunSettings(plan.groupSize(),
                queryMaxLength, passageMaxLength, (int) Math.max(1, epochs)))
                .map(text -> "warning LONG_RUN (step " + r.step() + "): " + text);
        warned = w.isPresent();
        return w;
    }
}
