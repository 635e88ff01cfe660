package io.bge4j.data.quality;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A step that removes (or flags) training examples and says how many and why. Filters compose:
 * {@code a.andThen(b)} runs {@code b} on what {@code a} kept and concatenates their reports.
 * Implement {@link #apply(TrainingSet)} for filters that look at the whole set (de-duplication,
 * round-trip search), or use {@link #of(String, Function)} for one-example-at-a-time rules.
 *
 * <p>Usage:
 * <pre>{@code
 * ExampleFilter quality = LengthFilter.builder().minQueryUnits(2).build()
 *     .andThen(CopyFilter.builder().ngram(4).threshold(0.6).build())
 *     .andThen(Deduplicator.builder().build());
 * FilterResult r = quality.apply(synthetic);
 * }</pre>
 */
public interface ExampleFilter {

    /** @return a short name for reports */
    String name();

    /**
     * @param input the examples
     * @return kept examples, flagged ones and the report
     */
    FilterResult apply(TrainingSet input);

    /**
     * @param next the filter to run on what this one keeps
     * @return the two in sequence
     */
    default ExampleFilter andThen(ExampleFilter next) {
        Objects.requireNonNull(next, "next");
        ExampleFilter first = this;
        return new ExampleFilter() {
            @Override
            public String name() {
                return first.name() + " → " + next.name();
            }

            @Override
            public FilterResult apply(TrainingSet input) {
                FilterResult a = first.apply(input);
                FilterResult b = next.apply(a.kept());
                Set<TrainingExample> survivors = Collections.newSetFromMap(new IdentityHashMap<>());
                survivors.addAll(b.kept().examples());
                Set<TrainingExample> flaggedSet = Collections.newSetFromMap(new IdentityHashMap<>());
                List<TrainingExample> flagged = new ArrayList<>();
                for (TrainingExample e : a.flagged()) {
                    if (survivors.contains(e) && flaggedSet.add(e)) {
                        flagged.add(e);
                    }
                }
                for (TrainingExample e : b.flagged()) {
                    if (flaggedSet.add(e)) {
                        flagged.add(e);
                    }
                }
                return new FilterResult(b.kept(), flagged, a.report().then(b.report()));
            }
        };
    }

    /**
     * @param filters filters in order (at least one)
     * @return them chained
     */
    static ExampleFilter chain(List<ExampleFilter> filters) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("chain needs at least one filter");
        }
        ExampleFilter f = filters.get(0);
        for (int i = 1; i < filters.size(); i++) {
            f = f.andThen(filters.get(i));
        }
        return f;
    }

    /**
     * A filter that judges each example on its own.
     *
     * @param name the name for reports
     * @param rule the verdict for one example
     * @return the filter
     */
    static ExampleFilter of(String name, Function<TrainingExample, Verdict> rule) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rule, "rule");
        return new ExampleFilter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public FilterResult apply(TrainingSet input) {
                return applyVerdicts(name, input, rule);
            }
        };
    }

    /**
     * Runs a per-example rule over a set and builds the result (a helper for implementations).
     *
     * @param name the filter name
     * @param input the examples
     * @param rule the verdict for one example
     * @return the result
     */
    static FilterResult applyVerdicts(String name, TrainingSet input, Function<TrainingExample, Verdict> rule) {
        List<TrainingExample> kept = new ArrayList<>();
        List<TrainingExample> flagged = new ArrayList<>();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (TrainingExample e : input) {
            Verdict v = Objects.requireNonNull(rule.apply(e), "a filter rule returned null");
            switch (v.action()) {
                case KEEP -> kept.add(e);
                case FLAG -> {
                    kept.add(e);
                    flagged.add(e);
                }
                case DROP -> reasons.merge(v.reason(), 1, Integer::sum);
                default -> throw new IllegalStateException(v.action().toString());
            }
        }
        FilterStep step = new FilterStep(name, input.size(), kept.size(), flagged.size(), reasons);
        return new FilterResult(TrainingSet.of(input.name(), kept), flagged, FilterReport.of(step));
    }
}
