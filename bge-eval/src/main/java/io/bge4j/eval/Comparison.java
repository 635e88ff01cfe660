package io.bge4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A paired comparison of two evaluation results on the same queries (typically the base model and
 * the fine-tuned one): for every metric the mean delta, a paired bootstrap confidence interval of the
 * delta, a two-sided paired randomisation (sign-flip) test p-value, and wins/ties/losses by query;
 * plus the queries whose primary metric improved and degraded most, with their texts.
 *
 * <p>Randomness is seeded: the same inputs and seed give the same intervals and p-values. Every metric
 * uses the same stream of resamples (the stream restarts from the seed for each metric), so adding or
 * removing a metric never changes the numbers of another. The p-value is
 * {@code (1 + #{|permuted mean| ≥ |observed mean|}) / (1 + permutations)}; the interval is the
 * percentile interval (linear interpolation) of the resampled mean deltas. Per-query values closer than
 * {@code 1e-12} count as ties.
 *
 * <p>Usage:
 * <pre>{@code
 * Comparison c = Comparison.builder().base(before).tuned(after).seed(42).build();
 * MetricComparison ndcg = c.metric(Metric.NDCG_AT_10);
 * String md = MarkdownReport.render(c);
 * }</pre>
 */
public final class Comparison {
    private static final double TIE = 1e-12;

    private final String baseName;
    private final String tunedName;
    private final Metric primary;
    private final List<String> queryIds;
    private final List<MetricComparison> metrics;
    private final List<QueryChange> mostImproved;
    private final List<QueryChange> mostDegraded;
    private final int bootstrapSamples;
    private final int permutations;
    private final long seed;
    private final double confidence;

    private Comparison(Builder b, List<Metric> compared, Metric primary, List<String> queryIds) {
        this.baseName = b.base.name();
        this.tunedName = b.tuned.name();
        this.primary = primary;
        this.queryIds = List.copyOf(queryIds);
        this.bootstrapSamples = b.bootstrapSamples;
        this.permutations = b.permutations;
        this.seed = b.seed;
        this.confidence = b.confidence;
        List<MetricComparison> out = new ArrayList<>();
        for (Metric m : compared) {
            out.add(compare(m, b.base, b.tuned));
        }
        this.metrics = List.copyOf(out);
        Map<String, String> texts = new HashMap<>(b.base.queryTexts());
        texts.putAll(b.tuned.queryTexts());
        texts.putAll(b.texts);
        List<QueryChange> changes = new ArrayList<>();
        for (String q : queryIds) {
            double before = b.base.perQuery().get(q).get(primary);
            double after = b.tuned.perQuery().get(q).get(primary);
            changes.add(new QueryChange(q, texts.get(q), before, after, after - before));
        }
        this.mostImproved = changes.stream().filter(c -> c.delta() > TIE)
                .sorted(Comparator.comparingDouble(QueryChange::delta).reversed().thenComparing(QueryChange::queryId))
                .limit(b.topQueries).toList();
        this.mostDegraded = changes.stream().filter(c -> c.delta() < -TIE)
                .sorted(Comparator.comparingDouble(QueryChange::delta).thenComparing(QueryChange::queryId))
                .limit(b.topQueries).toList();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param base the base result
     * @param tuned the tuned result
     * @return a comparison with the default settings (2,000 bootstrap samples, 10,000 permutations, seed 42)
     */
    public static Comparison of(EvaluationResult base, EvaluationResult tuned) {
        return builder().base(base).tuned(tuned).build();
    }

    private MetricComparison compare(Metric m, EvaluationResult base, EvaluationResult tuned) {
        int n = queryIds.size();
        double[] diff = new double[n];
        int wins = 0;
        int ties = 0;
        int losses = 0;
        double baseSum = 0;
        double tunedSum = 0;
        for (int i = 0; i < n; i++) {
            double b = base.perQuery().get(queryIds.get(i)).get(m);
            double t = tuned.perQuery().get(queryIds.get(i)).get(m);
            baseSum += b;
            tunedSum += t;
            diff[i] = t - b;
            if (diff[i] > TIE) {
                wins++;
            } else if (diff[i] < -TIE) {
                losses++;
            } else {
                ties++;
            }
        }
        double observed = mean(diff);
        // paired bootstrap: resample queries with replacement, mean delta of each resample
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] means = new double[bootstrapSamples];
        for (int s = 0; s < bootstrapSamples; s++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += diff[rnd.nextInt(n)];
            }
            means[s] = sum / n;
        }
        Arrays.sort(means);
        double alpha = 1 - confidence;
        double low = quantile(means, alpha / 2);
        double high = quantile(means, 1 - alpha / 2);
        // randomisation test: flip the sign of each query's delta with probability 1/2
        SplittableRandom flips = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int atLeast = 0;
        double threshold = Math.abs(observed) - 1e-12;
        for (int r = 0; r < permutations; r++) {
            double sum = 0;
            long bits = 0;
            for (int i = 0; i < n; i++) {
                if ((i & 63) == 0) {
                    bits = flips.nextLong();
                }
                sum += ((bits >>> (i & 63)) & 1L) == 0 ? diff[i] : -diff[i];
            }
            if (Math.abs(sum / n) >= threshold) {
                atLeast++;
            }
        }
        double p = (atLeast + 1.0) / (permutations + 1.0);
        return new MetricComparison(m, baseSum / n, tunedSum / n, tunedSum / n - baseSum / n, low, high, p,
                wins, ties, losses);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Linear-interpolation quantile of sorted data (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** @return the base result's name */
    public String baseName() {
        return baseName;
    }

    /** @return the tuned result's name */
    public String tunedName() {
        return tunedName;
    }

    /** @return the metric used to rank changed queries */
    public Metric primary() {
        return primary;
    }

    /** @return the compared query ids, in the base result's order */
    public List<String> queryIds() {
        return queryIds;
    }

    /** @return one entry per compared metric, sorted by metric */
    public List<MetricComparison> metrics() {
        return metrics;
    }

    /**
     * @param metric a compared metric
     * @return its comparison
     * @throws IllegalArgumentException when it was not compared
     */
    public MetricComparison metric(Metric metric) {
        for (MetricComparison mc : metrics) {
            if (mc.metric().equals(metric)) {
                return mc;
            }
        }
        throw new IllegalArgumentException("metric " + metric + " was not compared");
    }

    /** @return queries whose primary metric rose most, largest rise first */
    public List<QueryChange> mostImproved() {
        return mostImproved;
    }

    /** @return queries whose primary metric fell most, largest fall first */
    public List<QueryChange> mostDegraded() {
        return mostDegraded;
    }

    /** @return bootstrap resamples per metric */
    public int bootstrapSamples() {
        return bootstrapSamples;
    }

    /** @return randomisation-test permutations per metric */
    public int permutations() {
        return permutations;
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return the confidence level of the intervals, for example 0.95 */
    public double confidence() {
        return confidence;
    }

    /**
     * Options of a {@link Comparison}; {@link #build()} validates them and computes it.
     *
     * <p>Usage: {@code Comparison.builder().base(a).tuned(b).bootstrapSamples(5000).seed(7).build()}
     */
    public static final class Builder {
        private EvaluationResult base;
        private EvaluationResult tuned;
        private List<Metric> metrics;
        private Metric primary;
        private int bootstrapSamples = 2_000;
        private int permutations = 10_000;
        private long seed = 42;
        private double confidence = 0.95;
        private int topQueries = 5;
        private final Map<String, String> texts = new HashMap<>();

        private Builder() {
        }

        /**
         * @param base the result before (required)
         * @return this builder
         */
        public Builder base(EvaluationResult base) {
            this.base = base;
            return this;
        }

        /**
         * @param tuned the result after (required)
         * @return this builder
         */
        public Builder tuned(EvaluationResult tuned) {
            this.tuned = tuned;
            return this;
        }

        /**
         * @param metrics the metrics to compare (default: every metric both results have)
         * @return this builder
         */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = Metric.sortedDistinct(metrics);
            return this;
        }

        /**
         * @param primary the metric that ranks changed queries (default: the base result's primary)
         * @return this builder
         */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /**
         * @param samples bootstrap resamples per metric (default 2,000; at least 100)
         * @return this builder
         */
        public Builder bootstrapSamples(int samples) {
            this.bootstrapSamples = samples;
            return this;
        }

        /**
         * @param permutations randomisation-test permutations per metric (default 10,000; at least 100)
         * @return this builder
         */
        public Builder permutations(int permutations) {
            this.permutations = permutations;
            return this;
        }

        /**
         * @param seed drives every random choice (default 42)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param confidence interval level in (0, 1), default 0.95
         * @return this builder
         */
        public Builder confidence(double confidence) {
            this.confidence = confidence;
            return this;
        }

        /**
         * @param n how many most improved and most degraded queries to keep (default 5)
         * @return this builder
         */
        public Builder topQueries(int n) {
            this.topQueries = n;
            return this;
        }

        /**
         * @param queryTexts query id → text, for queries the results do not already know
         * @return this builder
         */
        public Builder queryTexts(Map<String, String> queryTexts) {
            this.texts.putAll(queryTexts);
            return this;
        }

        /**
         * @return the comparison
         * @throws IllegalArgumentException naming the bad option, or when the results cover different queries
         */
        public Comparison build() {
            if (base == null) {
                throw new IllegalArgumentException("base result is required");
            }
            if (tuned == null) {
                throw new IllegalArgumentException("tuned result is required");
            }
            if (bootstrapSamples < 100) {
                throw new IllegalArgumentException("bootstrapSamples must be at least 100, was " + bootstrapSamples);
            }
            if (permutations < 100) {
                throw new IllegalArgumentException("permutations must be at least 100, was " + permutations);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0, 1), was " + confidence);
            }
            if (topQueries < 0) {
                throw new IllegalArgumentException("topQueries must not be negative, was " + topQueries);
            }
            Set<String> baseQ = base.perQuery().keySet();
            Set<String> tunedQ = tuned.perQuery().keySet();
            if (!baseQ.equals(tunedQ)) {
                Set<String> onlyBase = new LinkedHashSet<>(baseQ);
                onlyBase.removeAll(tunedQ);
                Set<String> onlyTuned = new LinkedHashSet<>(tunedQ);
                onlyTuned.removeAll(baseQ);
                throw new IllegalArgumentException("the results cover different queries (" + baseQ.size() + " vs "
                        + tunedQ.size() + "); only in base: " + sample(onlyBase) + ", only in tuned: "
                        + sample(onlyTuned) + "; evaluate both on the same queries and qrels");
            }
            if (baseQ.isEmpty()) {
                throw new IllegalArgumentException("the results have no evaluated queries to compare");
            }
            List<Metric> common = new ArrayList<>();
            for (Metric m : base.metrics()) {
                if (tuned.metrics().contains(m)) {
                    common.add(m);
                }
            }
            List<Metric> compared = metrics == null ? common : metrics;
            for (Metric m : compared) {
                if (!common.contains(m)) {
                    throw new IllegalArgumentException("metric " + m + " is not in both results; both have " + common);
                }
            }
            if (compared.isEmpty()) {
                throw new IllegalArgumentException("the results share no metric");
            }
            Metric p = primary != null ? primary : base.primary();
            if (!common.contains(p)) {
                throw new IllegalArgumentException("primary metric " + p + " is not in both results");
            }
            return new Comparison(this, compared, p, new ArrayList<>(baseQ));
        }

        private static String sample(Set<String> ids) {
            List<String> first = ids.stream().limit(5).toList();
            return first + (ids.size() > 5 ? " and " + (ids.size() - 5) + " more" : "");
        }
    }

    @Override
    public String toString() {
        return "Comparison[" + baseName + " vs " + tunedName + ", " + queryIds.size() + " queries, "
                + metrics.size() + " metrics]";
    }
}
