package io.bge4j.eval.verdict;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which of several models to use: the models ranked by one metric, the paired difference of every pair (paired
 * bootstrap interval, randomisation-test p-value, and that p-value adjusted for the number of pairs by
 * Holm–Bonferroni), and a verdict naming the best model and whether it is significantly better than the
 * runner-up (its interval above zero).
 *
 * <p>Usage:
 * <pre>{@code
 * ModelRanking r = ModelRanking.of(List.of(baseResult, tunedResult, mergedResult), Metric.NDCG_AT_10, 42);
 * System.out.println(r.verdict());
 * }</pre>
 */
public final class ModelRanking {

    private final Metric metric;
    private final List<EvaluationResult> ranked;
    private final List<PairwiseDifference> pairs;
    private final double confidence;

    private ModelRanking(Metric metric, List<EvaluationResult> ranked, List<PairwiseDifference> pairs,
            double confidence) {
        this.metric = metric;
        this.ranked = List.copyOf(ranked);
        this.pairs = List.copyOf(pairs);
        this.confidence = confidence;
    }

    /**
     * @param results two or more results on the same queries, with distinct names
     * @param metric the metric to rank by
     * @param seed seed of the bootstrap and randomisation test
     * @return the ranking
     * @throws IllegalArgumentException with fewer than two results, repeated names, or different query sets
     */
    public static ModelRanking of(List<EvaluationResult> results, Metric metric, long seed) {
        if (results.size() < 2) {
            throw new IllegalArgumentException("ranking needs at least two results, got " + results.size());
        }
        if (results.stream().map(EvaluationResult::name).distinct().count() != results.size()) {
            throw new IllegalArgumentException("results must have distinct names to be ranked");
        }
        List<EvaluationResult> ranked = new ArrayList<>(results);
        ranked.sort(Comparator.comparingDouble((EvaluationResult r) -> r.mean(metric)).reversed());
        List<Comparison> cs = new ArrayList<>();
        List<String[]> names = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            for (int j = i + 1; j < ranked.size(); j++) {
                cs.add(Comparison.builder().base(ranked.get(j)).tuned(ranked.get(i)).metrics(List.of(metric))
                        .primary(metric).seed(seed).topQueries(0).build());
                names.add(new String[] {ranked.get(i).name(), ranked.get(j).name()});
            }
        }
        double[] raw = cs.stream().mapToDouble(c -> c.metric(metric).pValue()).toArray();
        double[] holm = holm(raw);
        List<PairwiseDifference> pairs = new ArrayList<>();
        for (int k = 0; k < cs.size(); k++) {
            pairs.add(new PairwiseDifference(names.get(k)[0], names.get(k)[1], cs.get(k).metric(metric), holm[k]));
        }
        return new ModelRanking(metric, ranked, pairs, cs.get(0).confidence());
    }

    /**
     * Holm–Bonferroni step-down adjustment: sort the m p-values ascending, multiply the k-th smallest (from 0)
     * by {@code m − k}, make the sequence non-decreasing, cap at 1.
     *
     * @param p raw p-values
     * @return adjusted p-values, in the input order
     */
    static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] out = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++) {
            running = Math.max(running, Math.min(1, (m - k) * p[order[k]]));
            out[order[k]] = running;
        }
        return out;
    }

    /** @return the metric ranked by */
    public Metric metric() {
        return metric;
    }

    /** @return the results, best first */
    public List<EvaluationResult> ranked() {
        return ranked;
    }

    /** @return every pair (better-ranked first), in rank order */
    public List<PairwiseDifference> pairs() {
        return pairs;
    }

    /** @return the best-ranked result */
    public EvaluationResult best() {
        return ranked.get(0);
    }

    /** @return the pair best vs runner-up */
    public PairwiseDifference bestVsRunnerUp() {
        return pairs.get(0);
    }

    /** @return whether the best model's interval against the runner-up lies above zero */
    public boolean bestIsSignificantlyBetter() {
        return bestVsRunnerUp().comparison().ciLow() > 0;
    }

    /** @return one sentence naming the best model and whether its lead over the runner-up is significant */
    public String verdict() {
        PairwiseDifference p = bestVsRunnerUp();
        MetricComparison c = p.comparison();
        String ci = String.format(Locale.ROOT, "%+.4f, %d%% CI [%+.4f, %+.4f], p %s", c.delta(),
                Math.round(confidence * 100), c.ciLow(), c.ciHigh(), EvaluatorVerdict.p(c.pValue()));
        if (bestIsSignificantlyBetter()) {
            return "best: " + p.first() + " — significantly better than the runner-up " + p.second() + " on " + metric
                    + " (" + ci + ")";
        }
        return "best: " + p.first() + " by mean " + metric + ", but not significantly better than the runner-up "
                + p.second() + " (" + ci + "); either is a defensible choice";
    }

    /** @return a table of every pair: delta, interval, raw and Holm-adjusted p, wins/ties/losses */
    public String pairTable() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "pairwise %s differences (%d%% CI, paired"
                + " bootstrap; p: randomisation test, Holm-adjusted over %d pairs)%n", metric,
                Math.round(confidence * 100), pairs.size()));
        for (PairwiseDifference p : pairs) {
            MetricComparison c = p.comparison();
            sb.append(String.format(Locale.ROOT, "  %s − %s: %+.4f [%+.4f, %+.4f] p %s (Holm %s) %d/%d/%d%s%n", p.first(),
                    p.second(), c.delta(), c.ciLow(), c.ciHigh(), EvaluatorVerdict.p(c.pValue()),
                    EvaluatorVerdict.p(p.holmP()), c.wins(), c.ties(), c.losses(), p.significant() ? " *" : ""));
        }
        return sb.toString();
    }
}
