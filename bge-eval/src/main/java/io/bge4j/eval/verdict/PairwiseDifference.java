package io.bge4j.eval.verdict;

import io.bge4j.eval.MetricComparison;
import java.util.Objects;

/**
 * The paired difference between two models on the same queries: {@code first − second}.
 *
 * <p>Usage: {@code ranking.pairs().forEach(p -> System.out.println(p.first() + " - " + p.second() + ": " + p.comparison().delta()));}
 *
 * @param first the model whose score is the minuend
 * @param second the other model
 * @param comparison {@code second} as base, {@code first} as tuned: delta, interval, raw p-value, wins/ties/losses
 * @param holmP the p-value adjusted for the number of pairs (Holm–Bonferroni)
 */
public record PairwiseDifference(String first, String second, MetricComparison comparison, double holmP) {

    /** Checks for nulls. */
    public PairwiseDifference {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Objects.requireNonNull(comparison, "comparison");
    }

    /** @return whether the interval excludes zero */
    public boolean significant() {
        return comparison.ciLow() > 0 || comparison.ciHigh() < 0;
    }
}
