package io.bge4j.data.sampling;

import io.bge4j.data.Seeds;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Negatives drawn uniformly at random from the corpus: never a positive (by corpus position found
 * through normalised text, and by normalised text itself), never the same text twice for one
 * example. The easiest negatives there are; useful as a baseline and as the first stage of a
 * curriculum. Example {@code i}'s draw depends only on the seed and {@code i}.
 *
 * <p>Usage:
 * <pre>{@code
 * SamplingResult r = RandomNegativeSampler.builder().negativesPerQuery(7).seed(42).build()
 *     .sample(train, corpus);
 * }</pre>
 */
public final class RandomNegativeSampler implements NegativeSampler {
    private static final Logger LOG = LoggerFactory.getLogger(RandomNegativeSampler.class);

    private final int negativesPerQuery;
    private final long seed;

    private RandomNegativeSampler(Builder b) {
        this.negativesPerQuery = b.negativesPerQuery;
        this.seed = b.seed;
    }

    /** @return a builder: 15 negatives per query, seed 42 */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
        return sample(examples, CorpusTextIndex.of(corpus));
    }

    /**
     * Like {@link #sample(List, Corpus)} with a prebuilt index (reuse it across calls).
     *
     * @param examples the examples
     * @param index the corpus index
     * @return the result
     */
    public SamplingResult sample(List<TrainingExample> examples, CorpusTextIndex index) {
        TeacherScoreNotice.warnIfDropped("random sampler", examples);
        NegativePicker.Tally tally = new NegativePicker.Tally("random", negativesPerQuery);
        List<TrainingExample> out = new ArrayList<>(examples.size());
        List<List<SampledNegative>> provenance = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample e = examples.get(i);
            PositiveExclusion ex = index.exclusionFor(e);
            NegativePicker.Outcome o = NegativePicker.random(negativesPerQuery,
                    new SplittableRandom(Seeds.derive(seed, i)), index, ex);
            tally.add(o, ex.unmatchedPositives());
            out.add(e.withNegatives(o.texts()));
            provenance.add(o.negatives());
        }
        SamplingReport report = tally.report();
        LOG.info("{}", report.summary());
        return new SamplingResult(out, report, provenance);
    }

    /**
     * Options of a {@link RandomNegativeSampler}.
     *
     * <p>Usage: {@code RandomNegativeSampler.builder().negativesPerQuery(7).seed(1).build()}
     */
    public static final class Builder {
        private int negativesPerQuery = 15;
        private long seed = 42;

        private Builder() {
        }

        /**
         * @param n negatives per example, at least 1
         * @return this builder
         */
        public Builder negativesPerQuery(int n) {
            this.negativesPerQuery = n;
            return this;
        }

        /**
         * @param seed drives every draw
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the sampler
         * @throws IllegalArgumentException naming the bad option
         */
        public RandomNegativeSampler build() {
            if (negativesPerQuery < 1) {
                throw new IllegalArgumentException("negativesPerQuery must be at least 1, was " + negativesPerQuery);
            }
            return new RandomNegativeSampler(this);
        }
    }
}
