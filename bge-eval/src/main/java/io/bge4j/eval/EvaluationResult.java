package io.bge4j.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of an evaluation: the mean of every metric over the evaluated queries, the per-query
 * values they came from, how many queries were left out, and optionally the run itself.
 *
 * <p>A mean over zero evaluated queries is {@code NaN} (JSON reports write it as {@code null}).
 *
 * <p>Usage:
 * <pre>{@code
 * EvaluationResult r = evaluator.evaluate(embedder);
 * double ndcg = r.mean(Metric.NDCG_AT_10);
 * Map<String, Double> scalars = r.scalars();   // {"ndcg@1": .., ..., "accuracy@100": ..}
 * }</pre>
 *
 * @param name a label for reports (model or run name)
 * @param primary the metric that summarises the result (for example for early stopping)
 * @param metrics the metrics computed, sorted
 * @param mean metric → mean over the evaluated queries, in {@code metrics} order
 * @param perQuery query id → (metric → value), evaluated queries only, in qrels order
 * @param counts evaluated and excluded query counts
 * @param queryTexts query id → text where known (used by comparisons); may be empty
 * @param run the run the metrics were computed from, or null when it was not kept
 */
public record EvaluationResult(String name, Metric primary, List<Metric> metrics, Map<Metric, Double> mean,
                               Map<String, Map<Metric, Double>> perQuery, QueryCounts counts,
                               Map<String, String> queryTexts, Run run) {

    /** Validates and makes every collection unmodifiable. */
    public EvaluationResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(counts, "counts");
        metrics = List.copyOf(metrics);
        if (!metrics.contains(primary)) {
            throw new IllegalArgumentException("primary metric " + primary + " is not among the metrics " + metrics);
        }
        Map<Metric, Double> m = new LinkedHashMap<>();
        for (Metric metric : metrics) {
            m.put(metric, Objects.requireNonNull(mean.get(metric), () -> "no mean for " + metric));
        }
        mean = Collections.unmodifiableMap(m);
        Map<String, Map<Metric, Double>> pq = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Metric, Double>> e : perQuery.entrySet()) {
            pq.put(e.getKey(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue())));
        }
        perQuery = Collections.unmodifiableMap(pq);
        queryTexts = Collections.unmodifiableMap(new LinkedHashMap<>(queryTexts));
    }

    /**
     * @param metric a metric
     * @return its mean
     * @throws IllegalArgumentException when it was not computed
     */
    public double mean(Metric metric) {
        Double v = mean.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("metric " + metric + " was not computed; computed: " + metrics);
        }
        return v;
    }

    /** @return the mean of the primary metric */
    public double primaryValue() {
        return mean(primary);
    }

    /** @return metric key → mean, in metric order (the named scalars a trainer logs) */
    public Map<String, Double> scalars() {
        Map<String, Double> out = new LinkedHashMap<>();
        mean.forEach((k, v) -> out.put(k.key(), v));
        return Collections.unmodifiableMap(out);
    }

    /**
     * @param queryId a query id
     * @param metric a metric
     * @return the query's value, or empty when the query was not evaluated
     */
    public Optional<Double> value(String queryId, Metric metric) {
        Map<Metric, Double> q = perQuery.get(queryId);
        return q == null ? Optional.empty() : Optional.ofNullable(q.get(metric));
    }

    /** @return the run, when it was kept */
    public Optional<Run> optionalRun() {
        return Optional.ofNullable(run);
    }

    /**
     * @param newName a label
     * @return a copy with that name
     */
    public EvaluationResult withName(String newName) {
        return new EvaluationResult(newName, primary, metrics, mean, perQuery, counts, queryTexts, run);
    }

    /**
     * @param newPrimary one of the computed metrics
     * @return a copy with that primary metric
     */
    public EvaluationResult withPrimary(Metric newPrimary) {
        return new EvaluationResult(name, newPrimary, metrics, mean, perQuery, counts, queryTexts, run);
    }

    /**
     * @param texts query id → text
     * @return a copy that knows the query texts
     */
    public EvaluationResult withQueryTexts(Map<String, String> texts) {
        return new EvaluationResult(name, primary, metrics, mean, perQuery, counts, texts, run);
    }
}
