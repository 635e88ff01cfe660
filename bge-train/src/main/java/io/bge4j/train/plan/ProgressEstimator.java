package io.bge4j.train.plan;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;

/**
 * Remaining time and throughput of a run from what was measured: the moving average of the last
 * {@code window} step times after {@code warmupSteps} (the first steps pay for allocation and caches),
 * plus the mean measured evaluation time times the evaluations still to come. Throughput counts real
 * (non-padding) tokens; padding efficiency is real / processed tokens. Pure arithmetic: the caller passes
 * the measured seconds, so it is testable and usable by any progress listener. Not thread-safe: one
 * listener owns it.
 *
 * <p>Usage:
 * <pre>{@code
 * ProgressEstimator eta = ProgressEstimator.builder().totalSteps(1200).evaluateEvery(100).build();
 * eta.recordStep(secs, queries, realTokens, processedTokens);   // after each optimizer step
 * eta.recordEvaluation(secs);                                   // after each evaluation
 * eta.estimate().ifPresent(e -> log(e.describe()));
 * eta.longRunWarning(Duration.ofHours(1), settings).ifPresent(warn);
 * }</pre>
 */
public final class ProgressEstimator {

    private final long totalSteps;
    private final long startStep;
    private final int warmupSteps;
    private final int window;
    private long evaluateEvery;
    private final boolean inferEvaluations;
    private long lastEvaluationStep = -1;
    private final Deque<Double> recent = new ArrayDeque<>();
    private double recentSum;
    private long steps;
    private long examples;
    private long realTokens;
    private long processedTokens;
    private double stepSeconds;
    private int evaluations;
    private double evaluationSeconds;

    private ProgressEstimator(Builder b) {
        this.totalSteps = b.totalSteps;
        this.startStep = b.startStep;
        this.warmupSteps = b.warmupSteps;
        this.window = b.window;
        this.evaluateEvery = b.evaluateEvery;
        this.inferEvaluations = b.evaluateEvery == 0;
    }

    /** @return a builder; {@link Builder#totalSteps} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Records one finished optimizer step.
     *
     * @param seconds its wall time, evaluations excluded
     * @param stepExamples queries in the step
     * @param stepRealTokens non-padding tokens encoded (queries + passages)
     * @param stepProcessedTokens tokens processed including padding (texts x padded length, summed over chunks)
     */
    public void recordStep(double seconds, int stepExamples, long stepRealTokens, long stepProcessedTokens) {
        if (!(seconds >= 0) || stepRealTokens < 0 || stepProcessedTokens < stepRealTokens || stepExamples < 0) {
            throw new IllegalArgumentException("a step needs seconds >= 0 and 0 <= real <= processed tokens, got "
                    + seconds + " s, " + stepRealTokens + " real, " + stepProcessedTokens + " processed");
        }
        steps++;
        if (steps > warmupSteps) {
            recent.addLast(seconds);
            recentSum += seconds;
            if (recent.size() > window) {
                recentSum -= recent.removeFirst();
            }
        }
        examples += stepExamples;
        realTokens += stepRealTokens;
        processedTokens += stepProcessedTokens;
        stepSeconds += seconds;
    }

    /** @param seconds the wall time of one finished evaluation */
    public void recordEvaluation(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("evaluation seconds must be >= 0, got " + seconds);
        }
        evaluations++;
        evaluationSeconds += seconds;
    }

    /**
     * Records one finished evaluation at a step. When the builder was given no {@code evaluateEvery}, the
     * interval is learned from these steps: the gap between the last two evaluations after training started
     * (the first one's gap is counted from the start step), and evaluations are assumed to continue at it.
     * An evaluation before training (step 0 of a fresh run) only adds its time.
     *
     * @param seconds its wall time
     * @param step the completed steps when it ran
     */
    public void recordEvaluation(double seconds, long step) {
        recordEvaluation(seconds);
        if (inferEvaluations && step > startStep) {
            long from = lastEvaluationStep >= 0 ? lastEvaluationStep : startStep;
            if (step > from) {
                evaluateEvery = step - from;
            }
            lastEvaluationStep = step;
        }
    }

    /**
     * The estimate so far. During warm-up the mean of all steps is used and {@link Estimate#settled()} is false.
     *
     * @return empty before the first step
     */
    public Optional<Estimate> estimate() {
        if (steps == 0) {
            return Optional.empty();
        }
        boolean settled = !recent.isEmpty();
        double perStep = settled ? recentSum / recent.size() : stepSeconds / steps;
        long done = startStep + steps;
        long left = Math.max(0, totalSteps - done);
        long evalsLeft = evaluateEvery > 0 ? totalSteps / evaluateEvery - done / evaluateEvery : 0;
        double perEval = evaluations > 0 ? evaluationSeconds / evaluations : 0;
        double remaining = left * perStep + evalsLeft * perEval;
        double tokensPerSecond = stepSeconds > 0 ? realTokens / stepSeconds : 0;
        double examplesPerSecond = stepSeconds > 0 ? examples / stepSeconds : 0;
        double efficiency = processedTokens == 0 ? 1 : realTokens / (double) processedTokens;
        return Optional.of(new Estimate(done, totalSteps, perStep, perEval, evalsLeft, remaining,
                totalSteps * perStep + (evaluateEvery > 0 ? totalSteps / evaluateEvery : 0) * perEval,
                examplesPerSecond, tokensPerSecond, efficiency, settled));
    }

    /**
     * A warning when the measured rate predicts a whole run longer than {@code threshold}, with the settings
     * that would shorten it and roughly by how much (step time taken as proportional to processed tokens:
     * queries plus passages, each padded; passages dominate).
     *
     * @param threshold e.g. one hour
     * @param settings the run's sizes, to name what to change
     * @return the warning, or empty when the run is shorter or no step was settled yet
     */
    public Optional<String> longRunWarning(Duration threshold, RunSettings settings) {
        Optional<Estimate> e = estimate();
        if (e.isEmpty() || !e.get().settled() || e.get().totalSeconds() <= threshold.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of(LongRunAdvice.warning(e.get(), totalSteps, settings));
    }

    /**
     * The sizes a long-run warning refers to.
     *
     * @param groupSize passages per query
     * @param queryMaxLength query truncation length (0 when unknown)
     * @param passageMaxLength passage truncation length (0 when unknown: no passage-length advice, and the
     *     group-size advice scales with the passages alone)
     * @param epochs passes over the data
     */
    public record RunSettings(int groupSize, int queryMaxLength, int passageMaxLength, int epochs) {}

    /**
     * One estimate.
     *
     * @param stepsDone steps finished (including those before a resume)
     * @param totalSteps steps of the run
     * @param secondsPerStep moving average after warm-up (mean of all steps during warm-up)
     * @param secondsPerEvaluation mean measured evaluation time (0 before the first)
     * @param evaluationsLeft evaluations still to come
     * @param remainingSeconds steps left x seconds per step + evaluations left x seconds per evaluation
     * @param totalSeconds the whole run at the same rates
     * @param examplesPerSecond queries per second of step time
     * @param realTokensPerSecond non-padding tokens per second of step time
     * @param paddingEfficiency real / processed tokens so far
     * @param settled true once past warm-up
     */
    public record Estimate(long stepsDone, long totalSteps, double secondsPerStep, double secondsPerEvaluation,
            long evaluationsLeft, double remainingSeconds, double totalSeconds, double examplesPerSecond,
            double realTokensPerSecond, double paddingEfficiency, boolean settled) {

        /** @return e.g. {@code step 30/1200, 12.3 s/step, ETA 4h 0m, 512 real tokens/s, padding efficiency 71%} */
        public String describe() {
            return String.format(Locale.ROOT, "step %d/%d, %.1f s/step%s, ETA %s, %.1f examples/s, %.0f real tokens/s,"
                            + " padding efficiency %.0f%%", stepsDone, totalSteps, secondsPerStep,
                    settled ? "" : " (warming up)", duration(remainingSeconds), examplesPerSecond, realTokensPerSecond,
                    100 * paddingEfficiency);
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            if (s < 60) {
                return s + "s";
            }
            if (s < 3600) {
                return (s / 60) + "m " + (s % 60) + "s";
            }
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
    }

    /** Builder of {@link ProgressEstimator}; {@link #build()} validates and does not alter the builder. */
    public static final class Builder {
        private long totalSteps = -1;
        private long startStep;
        private int warmupSteps = 2;
        private int window = 20;
        private long evaluateEvery;

        private Builder() {}

        /** @param n steps of the whole run (required) @return this */
        public Builder totalSteps(long n) {
            this.totalSteps = n;
            return this;
        }

        /** @param n steps already done before this process (resume) @return this */
        public Builder startStep(long n) {
            this.startStep = n;
            return this;
        }

        /** @param n first steps left out of the average (default 2) @return this */
        public Builder warmupSteps(int n) {
            this.warmupSteps = n;
            return this;
        }

        /** @param n steps in the moving average (default 20) @return this */
        public Builder window(int n) {
            this.window = n;
            return this;
        }

        /**
         * @param n steps between evaluations; 0 (default) learns it from
         *     {@link ProgressEstimator#recordEvaluation(double, long)}, else assumes none
         * @return this
         */
        public Builder evaluateEvery(long n) {
            this.evaluateEvery = n;
            return this;
        }

        /** @return the estimator @throws IllegalArgumentException naming the bad option */
        public ProgressEstimator build() {
            if (totalSteps < 1) {
                throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
            }
            if (startStep < 0 || startStep > totalSteps) {
                throw new IllegalArgumentException("startStep must be in [0, totalSteps], got " + startStep);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
            }
            if (window < 1) {
                throw new IllegalArgumentException("window must be >= 1, got " + window);
            }
            if (evaluateEvery < 0) {
                throw new IllegalArgumentException("evaluateEvery must be >= 0, got " + evaluateEvery);
            }
            return new ProgressEstimator(this);
        }
    }
}
