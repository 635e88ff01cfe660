package io.bge4j.eval;

import java.util.Objects;

/**
 * How one metric changed between two results on the same queries.
 *
 * <p>Usage: {@code if (mc.pValue() < 0.05 && mc.ciLow() > 0) System.out.println(mc.metric() + " improved");}
 *
 * @param metric the metric
 * @param base mean of the base result
 * @param tuned mean of the tuned result
 * @param delta {@code tuned - base}
 * @param ciLow lower end of the paired-bootstrap confidence interval of {@code delta}
 * @param ciHigh upper end of that interval
 * @param pValue two-sided paired randomisation (sign-flip) test p-value of {@code delta}
 * @param wins queries where tuned is higher
 * @param ties queries where both are equal
 * @param losses queries where tuned is lower
 */
public record MetricComparison(Metric metric, double base, double tuned, double delta, double ciLow, double ciHigh,
                               double pValue, int wins, int ties, int losses) {

    /** Checks for a metric. */
    public MetricComparison {
        Objects.requireNonNull(metric, "metric");
    }

    /**
     * @param alpha significance level, for example 0.05
     * @return whether the p-value is below it
     */
    public boolean significant(double alpha) {
        return pValue < alpha;
    }
}
