package io.bge4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One training example in the FlagEmbedding sense: a query, the passages that answer it
 * (positives), passages that do not (negatives), optional teacher scores for knowledge
 * distillation, an optional per-example prompt (instruction) and type, and the name of the data
 * set it came from.
 *
 * <p>Invariants (checked on construction): the query, positives and negatives are non-null and
 * contain no null text; there is at least one positive; teacher scores, when present, have exactly
 * one finite value per positive / negative. Optional values are {@code null} when absent.
 *
 * <p>Usage:
 * <pre>{@code
 * TrainingExample ex = TrainingExample.builder()
 *     .query("how do I reset my password")
 *     .positives(List.of("Open Settings, then Account, then Reset password."))
 *     .negatives(List.of("Our offices are closed on Sundays."))
 *     .build();
 * }</pre>
 *
 * @param query the query text (may be empty, never null)
 * @param positives relevant passages, at least one; unmodifiable
 * @param negatives non-relevant passages, possibly empty; unmodifiable
 * @param positiveScores teacher scores, one per positive, or {@code null}; unmodifiable
 * @param negativeScores teacher scores, one per negative, or {@code null}; unmodifiable
 * @param prompt a per-example query instruction, or {@code null}
 * @param type a per-example task type (FlagEmbedding's {@code type}), or {@code null}
 * @param source the data set this example belongs to (e.g. the JSONL file's name), or {@code null}
 */
public record TrainingExample(
        String query,
        List<String> positives,
        List<String> negatives,
        List<Double> positiveScores,
        List<Double> negativeScores,
        String prompt,
        String type,
        String source) {

    /** Validates every invariant and makes the lists unmodifiable copies. */
    public TrainingExample {
        if (query == null) {
            throw new IllegalArgumentException("query must not be null (use \"\" for an empty query)");
        }
        positives = copyTexts(positives, "positives");
        if (positives.isEmpty()) {
            throw new IllegalArgumentException("positives must contain at least one passage");
        }
        negatives = negatives == null ? List.of() : copyTexts(negatives, "negatives");
        positiveScores = copyScores(positiveScores, "positiveScores", positives.size(), "positives");
        negativeScores = copyScores(negativeScores, "negativeScores", negatives.size(), "negatives");
    }

    /**
     * @param query the query
     * @param positives at least one relevant passage
     * @param negatives non-relevant passages (may be empty)
     * @return an example without teacher scores, prompt, type or source
     */
    public static TrainingExample of(String query, List<String> positives, List<String> negatives) {
        return new TrainingExample(query, positives, negatives, null, null, null, null, null);
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this example's values */
    public Builder toBuilder() {
        return new Builder().query(query).positives(positives).negatives(negatives)
                .positiveScores(positiveScores).negativeScores(negativeScores)
                .prompt(prompt).type(type).source(source);
    }

    /** @return whether teacher scores are present for the positives or the negatives */
    public boolean hasTeacherScores() {
        return positiveScores != null || negativeScores != null;
    }

    /**
     * Replaces the negatives. Their teacher scores cannot carry over, so both score lists are
     * dropped (a teacher-free example, as hard-negative mining produces).
     *
     * @param newNegatives the new negatives
     * @return a new example
     */
    public TrainingExample withNegatives(List<String> newNegatives) {
        return new TrainingExample(query, positives, newNegatives, null, null, prompt, type, source);
    }

    /**
     * @param newSource the data set name (or null)
     * @return a copy with that source
     */
    public TrainingExample withSource(String newSource) {
        return new TrainingExample(query, positives, negatives, positiveScores, negativeScores, prompt, type,
                newSource);
    }

    private static List<String> copyTexts(List<String> texts, String name) {
        if (texts == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        List<String> copy = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null) {
                throw new IllegalArgumentException(name + "[" + i + "] is null; every passage must be a string");
            }
            copy.add(t);
        }
        return Collections.unmodifiableList(copy);
    }

    private static List<Double> copyScores(List<Double> scores, String name, int expected, String textsName) {
        if (scores == null) {
            return null;
        }
        if (scores.size() != expected) {
            throw new IllegalArgumentException(name + " has " + scores.size() + " values but " + textsName
                    + " has " + expected + "; give exactly one score per passage, or none");
        }
        List<Double> copy = new ArrayList<>(scores.size());
        for (int i = 0; i < scores.size(); i++) {
            Double s = scores.get(i);
            if (s == null || !Double.isFinite(s)) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + s + "; scores must be finite numbers");
            }
            copy.add(s);
        }
        return Collections.unmodifiableList(copy);
    }

    /**
     * Collects the parts of a {@link TrainingExample}; {@link #build()} validates them and names the
     * offending option.
     *
     * <p>Usage: {@code TrainingExample.builder().query("q").positives(List.of("p")).build()}
     */
    public static final class Builder {
        private String query;
        private List<String> positives;
        private List<String> negatives = List.of();
        private List<Double> positiveScores;
        private List<Double> negativeScores;
        private String prompt;
        private String type;
        private String source;

        private Builder() {
        }

        /**
         * @param query the query text
         * @return this builder
         */
        public Builder query(String query) {
            this.query = query;
            return this;
        }

        /**
         * @param positives relevant passages, at least one
         * @return this builder
         */
        public Builder positives(List<String> positives) {
            this.positives = positives;
            return this;
        }

        /**
         * @param negatives non-relevant passages
         * @return this builder
         */
        public Builder negatives(List<String> negatives) {
            this.negatives = negatives;
            return this;
        }

        /**
         * @param positiveScores one teacher score per positive, or null
         * @return this builder
         */
        public Builder positiveScores(List<Double> positiveScores) {
            this.positiveScores = positiveScores;
            return this;
        }

        /**
         * @param negativeScores one teacher score per negative, or null
         * @return this builder
         */
        public Builder negativeScores(List<Double> negativeScores) {
            this.negativeScores = negativeScores;
            return this;
        }

        /**
         * @param prompt a per-example query instruction, or null
         * @return this builder
         */
        public Builder prompt(String prompt) {
            this.prompt = prompt;
            return this;
        }

        /**
         * @param type a per-example type, or null
         * @return this builder
         */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /**
         * @param source the data set name, or null
         * @return this builder
         */
        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /**
         * @return the example
         * @throws IllegalArgumentException naming the missing or inconsistent option
         */
        public TrainingExample build() {
            if (query == null) {
                throw new IllegalArgumentException("query is required; call query(...)");
            }
            if (positives == null) {
                throw new IllegalArgumentException("positives is required; call positives(...) with at least one passage");
            }
            return new TrainingExample(query, positives, negatives, positiveScores, negativeScores, prompt, type,
                    source);
        }
    }
}
