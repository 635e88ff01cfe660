package io.bge4j.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A measure at a cutoff, written {@code name@k}: {@code ndcg@10}, {@code recall@100}, {@code mrr@10},
 * {@code map@100}, {@code precision@10}, {@code recall_cap@10}, {@code accuracy@10}.
 * Metrics order by type (as declared in {@link MetricType}) then by k.
 *
 * <p>Usage: {@code Metric m = Metric.parse("ndcg@10"); double v = result.mean(m);}
 *
 * @param type the measure
 * @param k the cutoff, at least 1
 */
public record Metric(MetricType type, int k) implements Comparable<Metric> {
    /** The cutoffs used when none are given: 1, 3, 5, 10 and 100. */
    public static final List<Integer> DEFAULT_CUTOFFS = List.of(1, 3, 5, 10, 100);

    /** nDCG@10, the usual primary metric. */
    public static final Metric NDCG_AT_10 = new Metric(MetricType.NDCG, 10);
    /** Recall@100. */
    public static final Metric RECALL_AT_100 = new Metric(MetricType.RECALL, 100);
    /** MRR@10. */
    public static final Metric MRR_AT_10 = new Metric(MetricType.MRR, 10);
    /** MAP@100. */
    public static final Metric MAP_AT_100 = new Metric(MetricType.MAP, 100);
    /** Precision@10. */
    public static final Metric PRECISION_AT_10 = new Metric(MetricType.PRECISION, 10);

    private static final Comparator<Metric> ORDER =
            Comparator.comparing(Metric::type).thenComparingInt(Metric::k);

    /** Validates the cutoff. */
    public Metric {
        Objects.requireNonNull(type, "type");
        if (k < 1) {
            throw new IllegalArgumentException("metric cutoff k must be at least 1, was " + k);
        }
    }

    /** @return the key, for example {@code ndcg@10} */
    public String key() {
        return type.prefix() + "@" + k;
    }

    @Override
    public String toString() {
        return key();
    }

    @Override
    public int compareTo(Metric o) {
        return ORDER.compare(this, o);
    }

    /**
     * @param key for example {@code ndcg@10} or {@code recall_cap@100}
     * @return the metric
     * @throws IllegalArgumentException with the expected form
     */
    public static Metric parse(String key) {
        int at = key.lastIndexOf('@');
        if (at <= 0 || at == key.length() - 1) {
            throw new IllegalArgumentException("metric '" + key + "' must look like name@k, for example ndcg@10");
        }
        int k;
        try {
            k = Integer.parseInt(key.substring(at + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metric '" + key + "' has a cutoff that is not an integer; "
                    + "use name@k, for example ndcg@10");
        }
        return new Metric(MetricType.fromPrefix(key.substring(0, at)), k);
    }

    /**
     * @param cutoffs the cutoffs (each at least 1)
     * @return every metric type at every cutoff, sorted
     */
    public static List<Metric> allAt(Collection<Integer> cutoffs) {
        TreeSet<Metric> set = new TreeSet<>();
        for (MetricType t : MetricType.values()) {
            for (int k : cutoffs) {
                set.add(new Metric(t, k));
            }
        }
        return List.copyOf(set);
    }

    /** @return every metric type at the default cutoffs 1, 3, 5, 10 and 100 */
    public static List<Metric> defaults() {
        return allAt(DEFAULT_CUTOFFS);
    }

    /**
     * @param metrics metrics in any order, possibly repeated
     * @return them sorted and without repeats
     */
    static List<Metric> sortedDistinct(Collection<Metric> metrics) {
        return new ArrayList<>(new TreeSet<>(metrics));
    }
}
