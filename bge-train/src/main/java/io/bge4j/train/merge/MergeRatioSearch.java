package io.bge4j.train.merge;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches the merge ratio between a base model and its fine-tune: for each tuned weight {@code r} on a
 * grid it merges {@code (1 − r)·base + r·tuned} in memory, evaluates the merge on the target (dev)
 * evaluator and, when given, on a general-domain evaluator, and chooses the ratio with the highest target
 * score among those whose general-domain score is at most {@code maxGeneralDrop} below the base model's
 * (the base, r = 0, always qualifies). Ties go to the higher general score, then the smaller r. The base
 * and the tuned model themselves are evaluated directly (r = 0 and r = 1 are always on the grid).
 *
 * <p>Usage:
 * <pre>{@code
 * RatioSearchResult r = MergeRatioSearch.builder().base(base).tuned(tuned)
 *         .target(devEvaluator).general(scifactEvaluator).maxGeneralDrop(0.01)
 *         .build().run();
 * double tunedWeight = r.chosen().tunedWeight();
 * }</pre>
 */
public final class MergeRatioSearch {

    private static final Logger LOG = LoggerFactory.getLogger(MergeRatioSearch.class);

    private final BgeModel base;
    private final BgeModel tuned;
    private final double[] ratios;
    private final Evaluator target;
    private final Evaluator general;
    private final double maxGeneralDrop;
    private final Function<BgeModel, Embedder> embedders;

    private MergeRatioSearch(Builder b, double[] ratios) {
        this.base = b.base;
        this.tuned = b.tuned;
        this.ratios = ratios;
        this.target = b.target;
        this.general = b.general;
        this.maxGeneralDrop = b.maxGeneralDrop;
        this.embedders = b.embedders;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Measures every ratio and chooses one.
     *
     * @return the points and the choice
     */
    public RatioSearchResult run() {
        List<RatioPoint> points = new ArrayList<>();
        for (double r : ratios) {
            RatioPoint p;
            if (r == 0) {
                p = measure(base, r);
            } else if (r == 1) {
                p = measure(tuned, r);
            } else {
                try (BgeModel merged = ModelMerger.merge(List.of(base, tuned), List.of(1 - r, r))) {
                    p = measure(merged, r);
                }
            }
            LOG.info("merge ratio {}: target {}{}", r, p.target().primaryValue(),
                    p.general() == null ? "" : ", general " + p.general().primaryValue());
            points.add(p);
        }
        return new RatioSearchResult(points, choose(points, maxGeneralDrop), maxGeneralDrop);
    }

    /** The selection rule, separate so that it can be checked on given numbers. */
    static RatioPoint choose(List<RatioPoint> points, double maxGeneralDrop) {
        RatioPoint basePoint = points.get(0);
        RatioPoint best = null;
        for (RatioPoint p : points) {
            if (p.general() != null && basePoint.general() != null
                    && basePoint.general().primaryValue() - p.general().primaryValue() > maxGeneralDrop + 1e-12) {
                continue;
            }
            if (best == null || better(p, best)) {
                best = p;
            }
        }
        return best;
    }

    private static boolean better(RatioPoint p, RatioPoint best) {
        double dt = p.target().primaryValue() - best.target().primaryValue();
        if (Math.abs(dt) > 1e-12) {
            return dt > 0;
        }
        if (p.general() != null && best.general() != null) {
            double dg = p.general().primaryValue() - best.general().primaryValue();
            if (Math.abs(dg) > 1e-12) {
                return dg > 0;
            }
        }
        return p.tunedWeight() < best.tunedWeight();
    }

    private RatioPoint measure(BgeModel model, double r) {
        try (Embedder e = embedders.apply(model)) {
            EvaluationResult t = target.evaluate(e).withName(label(r));
            EvaluationResult g = general == null ? null : general.evaluate(e).withName(label(r));
            return new RatioPoint(r, t, g);
        }
    }

    private static String label(double r) {
        return r == 0 ? "base" : r == 1 ? "tuned" : "merged r=" + r;
    }

    /**
     * Options of a search; {@link #build()} validates them.
     *
     * <p>Usage: {@code MergeRatioSearch.builder().base(b).tuned(t).target(dev).ratios(0, 0.5, 1).build()}
     */
    public static final class Builder {
        private BgeModel base;
        private BgeModel tuned;
        private double[] ratios = {0, 0.25, 0.5, 0.75, 1};
        private Evaluator target;
        private Evaluator general;
        private double maxGeneralDrop = 0.01;
        private Function<BgeModel, Embedder> embedders = m -> m.embedder().build();

        private Builder() {}

        /** @param base the model before fine-tuning (required; not closed) @return this */
        public Builder base(BgeModel base) {
            this.base = base;
            return this;
        }

        /** @param tuned the fine-tuned model (required; not closed) @return this */
        public Builder tuned(BgeModel tuned) {
            this.tuned = tuned;
            return this;
        }

        /**
         * @param tunedWeights the grid of tuned weights r in [0, 1] (default 0, .25, .5, .75, 1); 0 and 1 are added
         * @return this
         */
        public Builder ratios(double... tunedWeights) {
            this.ratios = tunedWeights.clone();
            return this;
        }

        /** @param target the target-domain (dev) evaluator to maximise (required) @return this */
        public Builder target(Evaluator target) {
            this.target = target;
            return this;
        }

        /** @param general a general-domain evaluator whose drop is bounded (optional) @return this */
        public Builder general(Evaluator general) {
            this.general = general;
            return this;
        }

        /** @param drop largest accepted fall of the general score below the base's (default 0.01) @return this */
        public Builder maxGeneralDrop(double drop) {
            this.maxGeneralDrop = drop;
            return this;
        }

        /** @param factory makes the embedder each point is evaluated with (default {@code m.embedder().build()}) @return this */
        public Builder embedders(Function<BgeModel, Embedder> factory) {
            this.embedders = factory;
            return this;
        }

        /**
         * @return the search
         * @throws IllegalArgumentException naming the missing or bad option
         */
        public MergeRatioSearch build() {
            if (base == null || tuned == null || target == null || embedders == null) {
                throw new IllegalArgumentException((base == null ? "base" : tuned == null ? "tuned" : target == null
                        ? "target" : "embedders") + " is required");
            }
            if (!(maxGeneralDrop >= 0)) {
                throw new IllegalArgumentException("maxGeneralDrop must be >= 0, was " + maxGeneralDrop);
            }
            double[] grid = Arrays.copyOf(ratios, ratios.length + 2);
            grid[ratios.length] = 0;
            grid[ratios.length + 1] = 1;
            for (double r : grid) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("ratios must lie in [0, 1], got " + r);
                }
            }
            return new MergeRatioSearch(this, Arrays.stream(grid).distinct().sorted().toArray());
        }
    }
}
