package io.bge4j.train.advise;

import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.ModelSize;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.RandomNegativeSampler;
import io.bge4j.data.sampling.Selection;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Advice from evidence: fine-tunes the base model on nested fractions of the training set (the
 * learning curve) and with several negative strategies, measures every run against the base on the
 * dev split with the paired bootstrap, and says what follows — whether more data still helps and by
 * how much per doubling, which gains are significant, whether the loss plateaued, which negatives to
 * use, which model size to try next and why ({@link AdviceReport}).
 *
 * <p>How it measures: one seeded permutation of the training set; the run at fraction {@code f} trains
 * on its first {@code round(f × n)} examples, so a smaller subset is inside every larger one. Every run
 * starts from a copy of the base model with the same options and seed and the same number of epochs,
 * so its steps grow with its size (the same budget per example). Negatives are sampled once over the
 * whole set per strategy (random: {@link RandomNegativeSampler}; hard: {@link DenseNegativeMiner} with
 * the base model over the mining corpus, ranks {@code [from, to)}, optionally with a relative
 * false-negative margin), so a run's negatives do not depend on its fraction. In-batch only trains with
 * group size 1. A run that the curve and the negatives comparison would both make (same strategy, same
 * fraction) is made once. The mining corpus is the caller's: keep dev documents out of it (bge4j's
 * {@code advise} command takes disjoint slices, as the quickstart does).
 *
 * <p>The base model is not changed. Progress goes to {@link Builder#progress(Consumer)}.
 *
 * <p>Usage:
 * <pre>{@code
 * AdviceReport r = Advisor.builder().model(base).trainingSet(train).miningCorpus(mineCorpus)
 *     .devEvaluator(dev).fractions(0.25, 0.5, 1.0).batchSize(16).groupSize(4).build().run();
 * System.out.print(r.text());
 * }</pre>
 */
public final class Advisor {

    private final AdvisorOptions o;

    private Advisor(AdvisorOptions o) {
        this.o = o;
    }

    /** @return a builder: fractions 25/50/100 %, hard-negative curve, all four strategies at 50 %, B=16, G=4, one epoch, seed 42 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes and measures every run.
     *
     * @return the measurements and the advice
     */
    public AdviceReport run() {
        long t0 = System.nanoTime();
        int n = o.trainingSet().size();
        o.progress().accept("evaluating the base model on " + o.devEvaluator().name() + " ...");
        EvaluationResult base;
        try (Embedder e = o.embedder(o.model())) {
            base = o.devEvaluator().evaluate(e);
        }
        o.progress().accept(String.format(Locale.ROOT, "base %s %.4f (%.0f s)", o.metric(), base.mean(o.metric()),
                secs(t0)));
        AdviceTrials trials = new AdviceTrials(o, AdviceData.prepare(o), base);
        List<AdviceRun> curve = new ArrayList<>();
        for (double f : o.fractions()) {
            curve.add(trials.run(o.curveStrategy(), f));
        }
        List<AdviceRun> negatives = new ArrayList<>();
        for (NegativeStrategy s : o.strategies()) {
            negatives.add(trials.run(s, o.strategyFraction()));
        }
        MetricComparison pair = negatives.size() >= 2 ? trials.compareBestTwo(negatives) : null;
        ModelSize size = ModelSize.valueOf(o.model().sizeClass().name());
        return AdviceReport.of(o.model().name(), size, o.metric(), base.mean(o.metric()), n, base.perQuery().size(),
                o.describe(), o.curveStrategy(), curve, negatives, pair, secs(t0));
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Options of an {@link Advisor}; {@link #build()} checks them all and copies them, so changing the
     * builder afterwards does not change the advisor.
     *
     * <p>Usage: {@code Advisor.builder().model(m).trainingSet(t).miningCorpus(c).devEvaluator(dev).build()}
     */
    public static final class Builder {
        private BgeModel model;
        private TrainingSet trainingSet;
        private Corpus miningCorpus;
        private Evaluator devEvaluator;
        private Metric metric = Metric.NDCG_AT_10;
        private double[] fractions = {0.25, 0.5, 1.0};
        private NegativeStrategy curveStrategy = NegativeStrategy.HARD;
        private List<NegativeStrategy> strategies = List.of(NegativeStrategy.values());
        private double strategyFraction = 0.5;
        private int hardFrom = 10;
        private int hardTo = 210;
        private double margin = 0.05;
        private int negativesPerQuery = 7;
        private int batchSize = 16;
        private int groupSize = 4;
        private int epochs = 1;
        private Double learningRate;
        private Integer queryMaxLength;
        private Integer passageMaxLength;
        private long seed = 42;
        private int evalBatchSize = 32;
        private Consumer<String> progress = line -> { };

        private Builder() {}

        /** @param m the base model (copied for every run, never changed) @return this */
        public Builder model(BgeModel m) {
            this.model = m;
            return this;
        }

        /** @param set the whole training set (queries and positives; its negatives are replaced per strategy) @return this */
        public Builder trainingSet(TrainingSet set) {
            this.trainingSet = set;
            return this;
        }

        /** @param corpus where random and hard negatives come from (keep dev documents out of it) @return this */
        public Builder miningCorpus(Corpus corpus) {
            this.miningCorpus = corpus;
            return this;
        }

        /** @param dev the dev split every run is measured on (per-query values feed the bootstrap) @return this */
        public Builder devEvaluator(Evaluator dev) {
            this.devEvaluator = dev;
            return this;
        }

        /** @param m the metric gains are measured in (default nDCG@10) @return this */
        public Builder metric(Metric m) {
            this.metric = m;
            return this;
        }

        /** @param f the curve's fractions of the training set, each in (0, 1], at least two distinct ones @return this */
        public Builder fractions(double... f) {
            this.fractions = f == null ? null : f.clone();
            return this;
        }

        /** @param s the negatives the curve runs train with (default hard) @return this */
        public Builder curveStrategy(NegativeStrategy s) {
            this.curveStrategy = s;
            return this;
        }

        /** @param s the strategies to compare (empty: no comparison) @return this */
        public Builder strategies(List<NegativeStrategy> s) {
            this.strategies = s;
            return this;
        }

        /** @param f the fraction the strategies are compared at, in (0, 1] (default 0.5) @return this */
        public Builder strategyFraction(double f) {
            this.strategyFraction = f;
            return this;
        }

        /**
         * @param from first rank of hard-negative candidates, inclusive (default 10)
         * @param to last rank, exclusive (default 210)
         * @return this
         */
        public Builder hardRanks(int from, int to) {
            this.hardFrom = from;
            this.hardTo = to;
            return this;
        }

        /** @param relative the false-negative margin of {@code hard-margin}, in [0, 1) (default 0.05) @return this */
        public Builder margin(double relative) {
            this.margin = relative;
            return this;
        }

        /** @param k negatives sampled per example, at least groupSize − 1 (default 7) @return this */
        public Builder negativesPerQuery(int k) {
            this.negativesPerQuery = k;
            return this;
        }

        /** @param n queries per step (default 16) @return this */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** @param g 1 positive + g − 1 negatives per query (default 4) @return this */
        public Builder groupSize(int g) {
            this.groupSize = g;
            return this;
        }

        /** @param n passes over each run's examples, the same for every run (default 1) @return this */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** @param lr peak learning rate (default: the trainer's default for the model size) @return this */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** @param n query token budget (default: the trainer's) @return this */
        public Builder queryMaxLength(int n) {
            this.queryMaxLength = n;
            return this;
        }

        /** @param n passage token budget for training, mining and evaluation (default: the trainer's) @return this */
        public Builder passageMaxLength(int n) {
            this.passageMaxLength = n;
            return this;
        }

        /** @param s drives the subsets, the negatives, batching and the bootstrap (default 42) @return this */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @param n texts per forward pass when mining and evaluating (default 32) @return this */
        public Builder evalBatchSize(int n) {
            this.evalBatchSize = n;
            return this;
        }

        /** @param p receives one line per stage (default: nothing) @return this */
        public Builder progress(Consumer<String> p) {
            this.progress = p;
            return this;
        }

        /**
         * @return the advisor
         * @throws IllegalArgumentException naming the first bad option
         */
        public Advisor build() {
            return new Advisor(new AdvisorOptions(model, trainingSet, miningCorpus, devEvaluator, metric,
                    fractions == null ? null : fractions.clone(), curveStrategy, strategies, strategyFraction, hardFrom,
                    hardTo, margin, negativesPerQuery, batchSize, groupSize, epochs, learningRate, queryMaxLength,
                    passageMaxLength, seed, evalBatchSize, progress));
        }
    }

    /** @return the fractions this advisor measures, ascending (a copy) */
    public double[] fractions() {
        return o.fractions().clone();
    }

    /** @return the base model's name (for logs) */
    @Override
    public String toString() {
        return "Advisor[" + o.model().name() + ", fractions " + Arrays.toString(o.fractions()) + ", strategies "
                + o.strategies() + "]";
    }
}
