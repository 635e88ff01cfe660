package io.bge4j.data.quality;

import io.bge4j.data.TrainingSet;

/**
 * Drops examples whose query (or first positive) is too short or too long, counted in
 * {@link TextUnits#units(String) units}: a word of a spaced script, or one Han/kana/Hangul
 * character. Bounds are inclusive.
 *
 * <p>Usage: {@code LengthFilter.builder().minQueryUnits(2).maxQueryUnits(32).build().apply(set)}
 */
public final class LengthFilter implements ExampleFilter {
    private final int minQuery;
    private final int maxQuery;
    private final int minPositive;
    private final int maxPositive;

    private LengthFilter(Builder b) {
        this.minQuery = b.minQuery;
        this.maxQuery = b.maxQuery;
        this.minPositive = b.minPositive;
        this.maxPositive = b.maxPositive;
    }

    /** @return a builder: queries of 1..64 units, positives of any length */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public FilterResult apply(TrainingSet input) {
        return ExampleFilter.applyVerdicts(name(), input, e -> {
            int q = TextUnits.units(e.query()).size();
            if (q < minQuery) {
                return Verdict.drop("query shorter than " + minQuery + " units");
            }
            if (q > maxQuery) {
                return Verdict.drop("query longer than " + maxQuery + " units");
            }
            int p = TextUnits.units(e.positives().get(0)).size();
            if (p < minPositive) {
                return Verdict.drop("positive shorter than " + minPositive + " units");
            }
            if (p > maxPositive) {
                return Verdict.drop("positive longer than " + maxPositive + " units");
            }
            return Verdict.keep();
        });
    }

    /**
     * Options of a {@link LengthFilter}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code LengthFilter.builder().minQueryUnits(3).build()}
     */
    public static final class Builder {
        private int minQuery = 1;
        private int maxQuery = 64;
        private int minPositive = 0;
        private int maxPositive = Integer.MAX_VALUE;

        private Builder() {
        }

        /**
         * @param n fewest query units (default 1)
         * @return this builder
         */
        public Builder minQueryUnits(int n) {
            this.minQuery = n;
            return this;
        }

        /**
         * @param n most query units (default 64)
         * @return this builder
         */
        public Builder maxQueryUnits(int n) {
            this.maxQuery = n;
            return this;
        }

        /**
         * @param n fewest units of the first positive (default 0)
         * @return this builder
         */
        public Builder minPositiveUnits(int n) {
            this.minPositive = n;
            return this;
        }

        /**
         * @param n most units of the first positive (default unlimited)
         * @return this builder
         */
        public Builder maxPositiveUnits(int n) {
            this.maxPositive = n;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException naming the bad option
         */
        public LengthFilter build() {
            if (minQuery < 0) {
                throw new IllegalArgumentException("minQueryUnits must be >= 0, was " + minQuery);
            }
            if (maxQuery < minQuery) {
                throw new IllegalArgumentException("maxQueryUnits (" + maxQuery + ") must be >= minQueryUnits ("
                        + minQuery + ")");
            }
            if (minPositive < 0) {
                throw new IllegalArgumentException("minPositiveUnits must be >= 0, was " + minPositive);
            }
            if (maxPositive < minPositive) {
                throw new IllegalArgumentException("maxPositiveUnits (" + maxPositive
                        + ") must be >= minPositiveUnits (" + minPositive + ")");
            }
            return new LengthFilter(this);
        }
    }
}
