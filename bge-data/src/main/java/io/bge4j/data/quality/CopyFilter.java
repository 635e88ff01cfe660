package io.bge4j.data.quality;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Catches queries that copy their passage instead of asking about it: the share of the query's
 * unit n-grams ({@link TextUnits#units(String) units}, default n = 4) that also occur in a positive.
 * Above the threshold the example is dropped, or, with {@link Builder#flagOnly(boolean)}, kept and
 * listed in {@link FilterResult#flagged()}. Queries shorter than n units are never caught. For
 * Chinese, where each character is a unit, a larger n (6–8) is usually right.
 *
 * <p>Usage: {@code CopyFilter.builder().ngram(4).threshold(0.5).build().apply(synthetic)}
 */
public final class CopyFilter implements ExampleFilter {
    private final int n;
    private final double threshold;
    private final boolean flagOnly;
    private final Predicate<TrainingExample> appliesTo;

    private CopyFilter(Builder b) {
        this.n = b.n;
        this.threshold = b.threshold;
        this.flagOnly = b.flagOnly;
        this.appliesTo = b.appliesTo;
    }

    /** @return a builder: n = 4, threshold 0.5, drop */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "copy";
    }

    /**
     * @param query a query
     * @param passage a passage
     * @param n the n-gram size in units
     * @return the share of the query's distinct n-grams found in the passage (0 when the query has
     *     fewer than n units)
     */
    public static double overlap(String query, String passage, int n) {
        Set<String> q = ngrams(TextUnits.units(query), n);
        if (q.isEmpty()) {
            return 0;
        }
        Set<String> p = ngrams(TextUnits.units(passage), n);
        int hit = 0;
        for (String g : q) {
            if (p.contains(g)) {
                hit++;
            }
        }
        return (double) hit / q.size();
    }

    @Override
    public FilterResult apply(TrainingSet input) {
        String reason = "query copies its passage (" + n + "-gram overlap > " + threshold + ")";
        return ExampleFilter.applyVerdicts(name(), input, e -> {
            if (!appliesTo.test(e)) {
                return Verdict.keep();
            }
            double best = 0;
            for (String p : e.positives()) {
                best = Math.max(best, overlap(e.query(), p, n));
            }
            if (best > threshold) {
                return flagOnly ? Verdict.flag(reason) : Verdict.drop(reason);
            }
            return Verdict.keep();
        });
    }

    private static Set<String> ngrams(List<String> units, int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i + n <= units.size(); i++) {
            out.add(String.join("\u0001", units.subList(i, i + n)));
        }
        return out;
    }

    /**
     * Options of a {@link CopyFilter}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code CopyFilter.builder().flagOnly(true).build()}
     */
    public static final class Builder {
        private int n = 4;
        private double threshold = 0.5;
        private boolean flagOnly;
        private Predicate<TrainingExample> appliesTo = e -> true;

        private Builder() {
        }

        /**
         * @param n n-gram size in units (default 4)
         * @return this builder
         */
        public Builder ngram(int n) {
            this.n = n;
            return this;
        }

        /**
         * @param threshold overlap above which a query counts as copied, in [0, 1) (default 0.5)
         * @return this builder
         */
        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /**
         * @param flagOnly keep copied queries and only flag them (default false: drop)
         * @return this builder
         */
        public Builder flagOnly(boolean flagOnly) {
            this.flagOnly = flagOnly;
            return this;
        }

        /**
         * @param appliesTo which examples are checked (default all; e.g. only synthetic ones)
         * @return this builder
         */
        public Builder appliesTo(Predicate<TrainingExample> appliesTo) {
            this.appliesTo = appliesTo;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException naming the bad option
         */
        public CopyFilter build() {
            if (n < 1) {
                throw new IllegalArgumentException("ngram must be >= 1, was " + n);
            }
            if (!(threshold >= 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in [0, 1), was " + threshold);
            }
            if (appliesTo == null) {
                throw new IllegalArgumentException("appliesTo must not be null");
            }
            return new CopyFilter(this);
        }
    }
}
