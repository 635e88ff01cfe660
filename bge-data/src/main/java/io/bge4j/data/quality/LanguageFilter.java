package io.bge4j.data.quality;

import io.bge4j.data.TrainingSet;

/**
 * Drops examples whose query is written in the wrong script: either not the
 * {@link Builder#expected(TextUnits.Script) expected} one, or (by default) not the same as its first
 * positive's. The script is decided by {@link TextUnits#dominantScript(String)} (share of Han
 * characters among letters), which is enough to catch an LLM that answers a Chinese passage in
 * English or the other way round.
 *
 * <p>Usage: {@code LanguageFilter.builder().expected(TextUnits.Script.HAN).build().apply(set)}
 */
public final class LanguageFilter implements ExampleFilter {
    private final TextUnits.Script expected;

    private LanguageFilter(Builder b) {
        this.expected = b.expected;
    }

    /** @return a builder that matches each query to its positive */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "language";
    }

    @Override
    public FilterResult apply(TrainingSet input) {
        return ExampleFilter.applyVerdicts(name(), input, e -> {
            TextUnits.Script q = TextUnits.dominantScript(e.query());
            if (q == TextUnits.Script.NONE) {
                return Verdict.drop("query has no letters");
            }
            if (expected != null) {
                return q == expected ? Verdict.keep() : Verdict.drop("query script " + q + ", expected " + expected);
            }
            TextUnits.Script p = TextUnits.dominantScript(e.positives().get(0));
            if (p == TextUnits.Script.NONE || p == q) {
                return Verdict.keep();
            }
            return Verdict.drop("query script " + q + " differs from positive script " + p);
        });
    }

    /**
     * Options of a {@link LanguageFilter}.
     *
     * <p>Usage: {@code LanguageFilter.builder().build()}
     */
    public static final class Builder {
        private TextUnits.Script expected;

        private Builder() {
        }

        /**
         * @param script the script every query must have, or null to match each query to its positive
         * @return this builder
         */
        public Builder expected(TextUnits.Script script) {
            this.expected = script;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException when the expected script is NONE
         */
        public LanguageFilter build() {
            if (expected == TextUnits.Script.NONE) {
                throw new IllegalArgumentException("expected must be HAN, LATIN or null (match the positive), was NONE");
            }
            return new LanguageFilter(this);
        }
    }
}
