package io.bge4j.train.advise;

import io.bge4j.eval.MetricComparison;
import java.util.Objects;

/**
 * One fine-tune an {@link Advisor} made and measured: which data, which negatives, how long, and its
 * gain over the base model on the dev split with the paired bootstrap interval.
 *
 * <p>Usage: {@code report.curve().forEach(r -> log.info("{}: {}", r.fraction(), r.gain().delta()));}
 *
 * @param strategy where the negatives came from
 * @param fraction the share of the training set used (nested: a smaller fraction is a subset of a larger one)
 * @param examples training examples used
 * @param steps optimizer steps taken
 * @param gain the dev metric of this run against the base (base = base model, tuned = this run)
 * @param loss what the run's step losses say
 * @param seconds wall time of the fine-tune and its evaluation
 */
public record AdviceRun(NegativeStrategy strategy, double fraction, int examples, long steps, MetricComparison gain,
        LossTrend loss, double seconds) {

    /** Checks for nulls. */
    public AdviceRun {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(gain, "gain");
        Objects.requireNonNull(loss, "loss");
    }

    /** @return whether the gain's interval excludes zero */
    public boolean significant() {
        return gain.ciLow() > 0 || gain.ciHigh() < 0;
    }

    /** @return half the width of the gain's interval */
    public double halfWidth() {
        return (gain.ciHigh() - gain.ciLow()) / 2;
    }
}
