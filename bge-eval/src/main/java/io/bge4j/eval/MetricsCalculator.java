package io.bge4j.eval;

import io.bge4j.data.beir.Qrels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a {@link Run} against {@link Qrels} with trec_eval semantics (see {@link MetricType} for each
 * formula). A document is relevant when its judged relevance is above 0; relevance-0 judgements count
 * as judged non-relevant; unjudged documents are non-relevant; gains in nDCG are the relevance values.
 * Rankings are ordered as in {@link Run} (score, then document id descending, as trec_eval), duplicate
 * documents keep their first occurrence, and a ranking shorter than k is scored as if padded with
 * non-relevant documents (precision still divides by k).
 *
 * <p>Queries: judged queries with no relevant document are excluded from every mean and counted;
 * judged queries absent from the run are excluded and counted (like trec_eval without {@code -c}),
 * or scored 0 with {@link Builder#scoreMissingQueriesAsZero(boolean)}; run queries without judgements
 * are ignored and counted. See {@link QueryCounts}.
 *
 * <p>Usage:
 * <pre>{@code
 * MetricsCalculator calc = MetricsCalculator.builder().metrics(Metric.allAt(List.of(10, 100))).build();
 * EvaluationResult r = calc.evaluate(qrels, run);
 * }</pre>
 */
public final class MetricsCalculator {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsCalculator.class);

    private final List<Metric> metrics;
    private final Metric primary;
    private final boolean missingAsZero;

    private MetricsCalculator(Builder b) {
        this.metrics = b.metrics;
        this.primary = b.primary;
        this.missingAsZero = b.missingAsZero;
    }

    /** @return a builder with every metric at k ∈ {1, 3, 5, 10, 100}, primary nDCG@10 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a calculator with the default settings */
    public static MetricsCalculator defaults() {
        return builder().build();
    }

    /** @return the metrics computed, sorted */
    public List<Metric> metrics() {
        return metrics;
    }

    /** @return the primary metric */
    public Metric primary() {
        return primary;
    }

    /**
     * @param qrels the judgements
     * @param run the run
     * @return per-query and mean metrics, named {@code "run"}
     */
    public EvaluationResult evaluate(Qrels qrels, Run run) {
        Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
        int withoutRelevant = 0;
        int missing = 0;
        for (Map.Entry<String, Map<String, Integer>> e : qrels.byQuery().entrySet()) {
            String qid = e.getKey();
            if (qrels.relevantCount(qid) == 0) {
                withoutRelevant++;
                continue;
            }
            if (!run.contains(qid)) {
                missing++;
                if (!missingAsZero) {
                    continue;
                }
            }
            List<String> ranking = new ArrayList<>();
            for (ScoredDoc d : run.ranking(qid)) {
                ranking.add(d.docId());
            }
            perQuery.put(qid, scoreQuery(ranking, e.getValue(), metrics));
        }
        int notInQrels = 0;
        for (String qid : run.queryIds()) {
            if (!qrels.byQuery().containsKey(qid)) {
                notInQrels++;
            }
        }
        Map<Metric, Double> mean = new LinkedHashMap<>();
        for (Metric m : metrics) {
            double sum = 0;
            for (Map<Metric, Double> q : perQuery.values()) {
                sum += q.get(m);
            }
            mean.put(m, perQuery.isEmpty() ? Double.NaN : sum / perQuery.size());
        }
        QueryCounts counts = new QueryCounts(perQuery.size(), withoutRelevant, missing, notInQrels);
        if (withoutRelevant > 0 || missing > 0 || notInQrels > 0) {
            LOG.info("evaluated {} queries; excluded {} without relevant documents, {} {} missing from the run; "
                            + "ignored {} run queries without judgements", perQuery.size(), withoutRelevant, missing,
                    missingAsZero ? "(scored 0)" : "", notInQrels);
        }
        return new EvaluationResult("run", primary, metrics, mean, perQuery, counts, Map.of(), run);
    }

    /**
     * Scores one ranking. With no relevant judgement every value is 0 (the calculator excludes such queries).
     *
     * @param ranking document ids, best first, without repeats
     * @param judgements document id → relevance (values ≤ 0 are non-relevant)
     * @param metrics the metrics to compute
     * @return metric → value in [0, 1], in the order given
     */
    public static Map<Metric, Double> scoreQuery(List<String> ranking, Map<String, Integer> judgements,
                                                 Collection<Metric> metrics) {
        int maxK = 0;
        for (Metric m : metrics) {
            maxK = Math.max(maxK, m.k());
        }
        int depth = Math.min(maxK, ranking.size());
        // prefix sums over ranks 1..depth: relevant hits, DCG, sum of precision at relevant ranks
        int[] hits = new int[depth + 1];
        double[] dcg = new double[depth + 1];
        double[] apSum = new double[depth + 1];
        int firstRelevant = 0;
        for (int i = 1; i <= depth; i++) {
            int rel = judgements.getOrDefault(ranking.get(i - 1), 0);
            boolean relevant = rel > 0;
            hits[i] = hits[i - 1] + (relevant ? 1 : 0);
            dcg[i] = dcg[i - 1] + (relevant ? rel / log2(i + 1) : 0.0);
            apSum[i] = apSum[i - 1] + (relevant ? (double) hits[i] / i : 0.0);
            if (relevant && firstRelevant == 0) {
                firstRelevant = i;
            }
        }
        List<Integer> positive = new ArrayList<>();
        for (int rel : judgements.values()) {
            if (rel > 0) {
                positive.add(rel);
            }
        }
        positive.sort((a, b) -> Integer.compare(b, a));
        int numRel = positive.size();
        int idealDepth = Math.min(maxK, numRel);
        double[] idcg = new double[idealDepth + 1];
        for (int i = 1; i <= idealDepth; i++) {
            idcg[i] = idcg[i - 1] + positive.get(i - 1) / log2(i + 1);
        }
        Map<Metric, Double> out = new LinkedHashMap<>();
        for (Metric m : metrics) {
            int k = m.k();
            int kk = Math.min(k, depth);
            double v;
            if (numRel == 0) {
                v = 0.0;
            } else {
                v = switch (m.type()) {
                    case NDCG -> dcg[kk] / idcg[Math.min(k, numRel)];
                    case RECALL -> (double) hits[kk] / numRel;
                    case PRECISION -> (double) hits[kk] / k;
                    case MRR -> firstRelevant > 0 && firstRelevant <= k ? 1.0 / firstRelevant : 0.0;
                    case MAP -> apSum[kk] / numRel;
                    case RECALL_CAP -> (double) hits[kk] / Math.min(k, numRel);
                    case ACCURACY -> hits[kk] > 0 ? 1.0 : 0.0;
                };
            }
            out.put(m, v);
        }
        return out;
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }

    /**
     * Options of a {@link MetricsCalculator}; {@link #build()} validates them.
     *
     * <p>Usage: {@code MetricsCalculator.builder().cutoffs(List.of(1, 10)).primary(Metric.parse("ndcg@10")).build()}
     */
    public static final class Builder {
        private List<Metric> metrics = Metric.defaults();
        private Metric primary;
        private boolean missingAsZero;

        private Builder() {
        }

        /**
         * @param metrics the metrics to compute (sorted, repeats dropped)
         * @return this builder
         */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = Metric.sortedDistinct(Objects.requireNonNull(metrics, "metrics"));
            return this;
        }

        /**
         * @param cutoffs cutoffs at which every metric type is computed
         * @return this builder
         */
        public Builder cutoffs(Collection<Integer> cutoffs) {
            this.metrics = Metric.allAt(cutoffs);
            return this;
        }

        /**
         * @param primary the primary metric; must be among the metrics. Default: nDCG@10 when computed,
         *     else the first metric
         * @return this builder
         */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /**
         * @param zero true to score judged queries missing from the run as 0 (trec_eval {@code -c});
         *     false (default) to exclude them
         * @return this builder
         */
        public Builder scoreMissingQueriesAsZero(boolean zero) {
            this.missingAsZero = zero;
            return this;
        }

        /**
         * @return the calculator
         * @throws IllegalArgumentException naming the bad option
         */
        public MetricsCalculator build() {
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics must not be empty");
            }
            if (primary == null) {
                primary = metrics.contains(Metric.NDCG_AT_10) ? Metric.NDCG_AT_10 : metrics.get(0);
            }
            if (!metrics.contains(primary)) {
                throw new IllegalArgumentException("primary metric " + primary + " is not among the metrics "
                        + metrics + "; add it or choose one of them");
            }
            return new MetricsCalculator(this);
        }
    }
}
