package io.bge4j.data.sampling;

import io.bge4j.core.Embedder;
import io.bge4j.data.Seeds;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Negatives that get harder as training proceeds (ANCE-style): the first negatives come from an
 * initial sampler (random by default); then, every {@code refreshEvery} steps, the trainer calls
 * {@link #onStep(int, Embedder)} with its current model and the sampler re-mines with a
 * {@link DenseNegativeMiner} whose rank window follows a {@link RankWindowSchedule}, moving from
 * easy (far) to hard (near) ranks. Each refresh is seeded by {@code (seed, step)}, so a resumed run
 * mines the same negatives.
 *
 * <p>Stateful: {@link #sample} remembers the examples and corpus that later refreshes re-mine.
 * Thread-safe (methods are synchronised).
 *
 * <p>Usage:
 * <pre>{@code
 * DynamicNegativeSampler dyn = DynamicNegativeSampler.builder()
 *     .refreshEvery(1_000).negativesPerQuery(7).relativeMargin(0.05)
 *     .schedule(RankWindowSchedule.linear(RankWindow.of(100, 300), RankWindow.of(5, 105), 0, 10_000))
 *     .build();
 * List<TrainingExample> start = dyn.sample(train, corpus).examples();
 * // the trainer, after each step: if (dyn.isDue(step)) dyn.onStep(step, currentEmbedder)...
 * }</pre>
 */
public final class DynamicNegativeSampler implements NegativeSampler, NegativeRefresher {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicNegativeSampler.class);

    private final NegativeSampler initialSampler;
    private final int refreshEvery;
    private final RankWindowSchedule schedule;
    private final int negativesPerQuery;
    private final double absoluteMargin;
    private final double relativeMargin;
    private final Selection selection;
    private final long seed;
    private final TopKSearcher searcher;

    private List<TrainingExample> examples;
    private CorpusTextIndex index;
    private int refreshes;

    private DynamicNegativeSampler(Builder b) {
        this.initialSampler = b.initialSampler != null ? b.initialSampler
                : RandomNegativeSampler.builder().negativesPerQuery(b.negativesPerQuery).seed(b.seed).build();
        this.refreshEvery = b.refreshEvery;
        this.schedule = b.schedule;
        this.negativesPerQuery = b.negativesPerQuery;
        this.absoluteMargin = b.absoluteMargin;
        this.relativeMargin = b.relativeMargin;
        this.selection = b.selection;
        this.seed = b.seed;
        this.searcher = b.searcher;
    }

    /**
     * @return a builder: refresh every 1,000 steps, constant window [10, 110), 7 negatives,
     *     random initial negatives, seed 42
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Samples the initial negatives and remembers {@code examples} and {@code corpus} for refreshes. */
    @Override
    public synchronized SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
        this.examples = List.copyOf(examples);
        this.index = CorpusTextIndex.of(corpus);
        return initialSampler.sample(this.examples, corpus);
    }

    @Override
    public boolean isDue(int step) {
        return step > 0 && step % refreshEvery == 0;
    }

    @Override
    public synchronized Optional<SamplingResult> onStep(int step, Embedder current) {
        if (!isDue(step)) {
            return Optional.empty();
        }
        if (examples == null) {
            throw new IllegalStateException("onStep called before sample(examples, corpus): the sampler does not yet"
                    + " know which examples to re-mine");
        }
        Objects.requireNonNull(current, "current");
        RankWindow window = schedule.windowAt(step);
        SamplingResult r = minerFor(step, current).sample(examples, index);
        refreshes++;
        LOG.info("step {}: re-mined negatives with the current model from ranks [{}, {}) (refresh #{})", step,
                window.from(), window.to(), refreshes);
        return Optional.of(r);
    }

    /** @return how many refreshes have run */
    public synchronized int refreshes() {
        return refreshes;
    }

    /**
     * @param step a training step
     * @param current the embedder
     * @return the miner a refresh at {@code step} uses
     */
    DenseNegativeMiner minerFor(int step, Embedder current) {
        return DenseNegativeMiner.builder().embedder(current).rankWindow(schedule.windowAt(step))
                .negativesPerQuery(negativesPerQuery).absoluteMargin(absoluteMargin).relativeMargin(relativeMargin)
                .selection(selection).seed(Seeds.derive(seed, step)).searcher(searcher).build();
    }

    /**
     * Options of a {@link DynamicNegativeSampler}; {@link #build()} validates them.
     *
     * <p>Usage: {@code DynamicNegativeSampler.builder().refreshEvery(500).schedule(s).build()}
     */
    public static final class Builder {
        private NegativeSampler initialSampler;
        private int refreshEvery = 1_000;
        private RankWindowSchedule schedule = RankWindowSchedule.constant(RankWindow.of(10, 110));
        private int negativesPerQuery = 7;
        private double absoluteMargin = Double.NaN;
        private double relativeMargin = Double.NaN;
        private Selection selection = Selection.RANDOM;
        private long seed = 42;
        private TopKSearcher searcher = TopKSearcher.exact();

        private Builder() {
        }

        /**
         * @param sampler produces the negatives used before the first refresh (default: random)
         * @return this builder
         */
        public Builder initialSampler(NegativeSampler sampler) {
            this.initialSampler = sampler;
            return this;
        }

        /**
         * @param steps re-mine every this many optimiser steps, at least 1
         * @return this builder
         */
        public Builder refreshEvery(int steps) {
            this.refreshEvery = steps;
            return this;
        }

        /**
         * @param schedule the rank window per step (the curriculum)
         * @return this builder
         */
        public Builder schedule(RankWindowSchedule schedule) {
            this.schedule = schedule;
            return this;
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
         * @param margin see {@link DenseNegativeMiner.Builder#absoluteMargin(double)}
         * @return this builder
         */
        public Builder absoluteMargin(double margin) {
            this.absoluteMargin = margin;
            return this;
        }

        /**
         * @param margin see {@link DenseNegativeMiner.Builder#relativeMargin(double)}
         * @return this builder
         */
        public Builder relativeMargin(double margin) {
            this.relativeMargin = margin;
            return this;
        }

        /**
         * @param selection TOP or RANDOM within the window
         * @return this builder
         */
        public Builder selection(Selection selection) {
            this.selection = selection;
            return this;
        }

        /**
         * @param seed the base seed (each refresh derives its own from it and the step)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param searcher the top-k search (default: bge-core exact search)
         * @return this builder
         */
        public Builder searcher(TopKSearcher searcher) {
            this.searcher = searcher;
            return this;
        }

        /**
         * @return the sampler
         * @throws IllegalArgumentException naming the bad option
         */
        public DynamicNegativeSampler build() {
            if (refreshEvery < 1) {
                throw new IllegalArgumentException("refreshEvery must be at least 1 step, was " + refreshEvery);
            }
            if (schedule == null) {
                throw new IllegalArgumentException("schedule must not be null");
            }
            if (negativesPerQuery < 1) {
                throw new IllegalArgumentException("negativesPerQuery must be at least 1, was " + negativesPerQuery);
            }
            if (searcher == null) {
                throw new IllegalArgumentException("searcher must not be null");
            }
            // the miner's own builder validates margins and selection: fail now, not at step N
            DenseNegativeMiner.builder().rankWindow(schedule.windowAt(0))
                    .negativesPerQuery(negativesPerQuery).absoluteMargin(absoluteMargin)
                    .relativeMargin(relativeMargin).selection(selection).searcher(searcher).validateOptions();
            return new DynamicNegativeSampler(this);
        }
    }
}
