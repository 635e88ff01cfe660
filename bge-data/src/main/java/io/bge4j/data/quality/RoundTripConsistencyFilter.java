package io.bge4j.data.quality;

import io.bge4j.core.Embedder;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.SearchHits;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard check for generated queries: search with the query over a corpus and keep the
 * example only if its source passage (first positive) is among the top k. The corpus is the
 * {@link Builder#corpus(List) given passages} plus every checked example's first positive
 * (duplicates, after {@link TextNormalizer}, count once). Queries are encoded with
 * {@link Embedder#encodeQueries(List)}, passages with {@link Embedder#encodeCorpus(List)}, and
 * ranked by {@link ExactSearch} (ties go to the passage seen first).
 *
 * <p>Usage:
 * <pre>{@code
 * try (Embedder emb = model.embedder().build()) {
 *     ExampleFilter rt = RoundTripConsistencyFilter.builder().embedder(emb).topK(3)
 *         .corpus(corpusTexts).appliesTo(e -> "synthetic".equals(e.type())).build();
 *     TrainingSet kept = rt.apply(synthetic).kept();
 * }
 * }</pre>
 */
public final class RoundTripConsistencyFilter implements ExampleFilter {
    private static final Logger LOG = LoggerFactory.getLogger(RoundTripConsistencyFilter.class);

    private final Embedder embedder;
    private final int topK;
    private final List<String> corpus;
    private final Predicate<TrainingExample> appliesTo;

    private RoundTripConsistencyFilter(Builder b) {
        this.embedder = b.embedder;
        this.topK = b.topK;
        this.corpus = List.copyOf(b.corpus);
        this.appliesTo = b.appliesTo;
    }

    /** @return a builder; {@link Builder#embedder(Embedder)} is required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "round-trip@" + topK;
    }

    @Override
    public FilterResult apply(TrainingSet input) {
        Map<String, Integer> index = new LinkedHashMap<>();
        List<String> passages = new ArrayList<>();
        for (String p : corpus) {
            if (index.putIfAbsent(TextNormalizer.normalize(p), passages.size()) == null) {
                passages.add(p);
            }
        }
        List<TrainingExample> checked = new ArrayList<>();
        List<Integer> target = new ArrayList<>();
        for (TrainingExample e : input) {
            if (!appliesTo.test(e)) {
                continue;
            }
            String pos = e.positives().get(0);
            String key = TextNormalizer.normalize(pos);
            Integer at = index.get(key);
            if (at == null) {
                at = passages.size();
                index.put(key, at);
                passages.add(pos);
            }
            checked.add(e);
            target.add(at);
        }
        Map<TrainingExample, Boolean> passed = new IdentityHashMap<>();
        if (!checked.isEmpty()) {
            List<String> queries = new ArrayList<>(checked.size());
            for (TrainingExample e : checked) {
                queries.add(e.query());
            }
            float[][] q = embedder.encodeQueries(queries);
            float[][] d = embedder.encodeCorpus(passages);
            int k = Math.min(topK, passages.size());
            List<SearchHits> hits = ExactSearch.builder().k(k).build().search(q, d);
            for (int i = 0; i < checked.size(); i++) {
                boolean ok = false;
                for (int pos : hits.get(i).positions()) {
                    if (pos == target.get(i)) {
                        ok = true;
                        break;
                    }
                }
                passed.put(checked.get(i), ok);
            }
            LOG.debug("round-trip: {} of {} checked queries found their passage in the top {} of {}",
                    passed.values().stream().filter(b -> b).count(), checked.size(), k, passages.size());
        }
        String reason = "source passage not in top " + topK;
        return ExampleFilter.applyVerdicts(name(), input,
                e -> passed.getOrDefault(e, Boolean.TRUE) ? Verdict.keep() : Verdict.drop(reason));
    }

    /**
     * Options of a {@link RoundTripConsistencyFilter}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code RoundTripConsistencyFilter.builder().embedder(emb).topK(1).build()}
     */
    public static final class Builder {
        private Embedder embedder;
        private int topK = 3;
        private List<String> corpus = List.of();
        private Predicate<TrainingExample> appliesTo = e -> true;

        private Builder() {
        }

        /**
         * @param embedder the model used for the round trip (required; not closed by the filter)
         * @return this builder
         */
        public Builder embedder(Embedder embedder) {
            this.embedder = embedder;
            return this;
        }

        /**
         * @param topK the source passage must rank within this many (default 3)
         * @return this builder
         */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * @param corpus further passages that compete with the source passages (default none)
         * @return this builder
         */
        public Builder corpus(List<String> corpus) {
            this.corpus = corpus;
            return this;
        }

        /**
         * @param appliesTo which examples are checked; the others pass untouched (default all)
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
        public RoundTripConsistencyFilter build() {
            if (embedder == null) {
                throw new IllegalArgumentException("embedder is required; call embedder(model.embedder().build())");
            }
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be >= 1, was " + topK);
            }
            if (corpus == null) {
                throw new IllegalArgumentException("corpus must not be null (use List.of())");
            }
            if (appliesTo == null) {
                throw new IllegalArgumentException("appliesTo must not be null");
            }
            return new RoundTripConsistencyFilter(this);
        }
    }
}
