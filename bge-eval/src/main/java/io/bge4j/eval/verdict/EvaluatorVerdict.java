package io.bge4j.eval.verdict;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import java.util.Locale;
import java.util.Objects;

/**
 * The verdict on one evaluator (a target dev set, a general-domain set, ...): improved, no significant change
 * or regressed, from the paired-bootstrap interval of the metric's delta, with the queries that got better and
 * worse.
 *
 * <p>Usage: {@code EvaluatorVerdict v = EvaluatorVerdict.of("dev", comparison, Metric.NDCG_AT_10); System.out.println(v.line());}
 *
 * @param evaluator the evaluator's label
 * @param outcome what the interval says
 * @param comparison the metric's paired comparison (means, delta, interval, p-value, wins/ties/losses)
 * @param confidence the interval's level, for example 0.95
 */
public record EvaluatorVerdict(String evaluator, Outcome outcome, MetricComparison comparison, double confidence) {

    /** Checks for nulls. */
    public EvaluatorVerdict {
        Objects.requireNonNull(evaluator, "evaluator");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(comparison, "comparison");
    }

    /**
     * @param evaluator a label
     * @param c a comparison of the results before and after on this evaluator's queries
     * @param metric the metric judged (for example nDCG@10)
     * @return the verdict
     */
    public static EvaluatorVerdict of(String evaluator, Comparison c, Metric metric) {
        MetricComparison mc = c.metric(metric);
        return new EvaluatorVerdict(evaluator, Outcome.ofInterval(mc.ciLow(), mc.ciHigh()), mc, c.confidence());
    }

    /** @return the metric */
    public Metric metric() {
        return comparison.metric();
    }

    /** @return queries whose metric rose */
    public int better() {
        return comparison.wins();
    }

    /** @return queries whose metric fell */
    public int worse() {
        return comparison.losses();
    }

    /** @return queries whose metric did not change */
    public int unchanged() {
        return comparison.ties();
    }

    /** @return one line, e.g. {@code dev: improved — ndcg@10 0.8957 → 0.9368 (+0.0411, 95% CI [+0.0276, +0.0553]); 61 queries better, 15 worse, 424 unchanged} */
    public String line() {
        MetricComparison m = comparison;
        return String.format(Locale.ROOT, "%s: %s — %s %.4f → %.4f (%+.4f, %d%% CI [%+.4f, %+.4f], p %s); %d queries"
                + " better, %d worse, %d unchanged", evaluator, outcome.label(), m.metric(), m.base(), m.tuned(),
                m.delta(), Math.round(confidence * 100), m.ciLow(), m.ciHigh(), p(m.pValue()), m.wins(), m.losses(),
                m.ties());
    }

    static String p(double p) {
        return p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }
}
