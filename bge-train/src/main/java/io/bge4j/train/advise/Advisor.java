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
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
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

    private final Builder b;

    private Advisor(Builder b) {
        this.b = b;
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
        List<TrainingExample> all = b.trainingSet.examples();
        int n = all.size();
        b.progress.accept("evaluating the base model on " + b.devEvaluator.name() + " ...");
        EvaluationResult base;
        try (Embedder e = embedder(b.model)) {
            base = b.devEvaluator.evaluate(e);
        }
        b.progress.accept(String.format(Locale.ROOT, "base %s %.4f (%.0f s)", b.metric, base.mean(b.metric),
                secs(t0)));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(b.seed));

        List<NegativeStrategy> needed = new ArrayList<>();
        needed.add(b.curveStrategy);
        b.strategies.stream().filter(s -> !needed.contains(s)).forEach(needed::add);
        Map<NegativeStrategy, List<TrainingExample>> sampled = new EnumMap<>(NegativeStrategy.class);
        for (NegativeStrategy s : needed) {
            b.progress.accept("negatives: " + s.label() + " for " + n + " examples ...");
            sampled.put(s, sample(s, all));
        }

        Map<String, AdviceRun> runs = new LinkedHashMap<>();
        Map<String, EvaluationResult> results = new LinkedHashMap<>();
        List<AdviceRun> curve = new ArrayList<>();
        for (double f : b.fractions) {
            curve.add(run(b.curveStrategy, f, order, sampled, base, runs, results));
        }
        List<AdviceRun> negatives = new ArrayList<>();
        for (NegativeStrategy s : b.strategies) {
            negatives.add(run(s, b.strategyFraction, order, sampled, base, runs, results));
        }
        MetricComparison pair = null;
        if (negatives.size() >= 2) {
            List<AdviceRun> ranked = new ArrayList<>(negatives);
            ranked.sort((x, y) -> Double.compare(y.gain().delta(), x.gain().delta()));
            EvaluationResult best = results.get(key(ranked.get(0).strategy(), b.strategyFraction));
            EvaluationResult second = results.get(key(ranked.get(1).strategy(), b.strategyFraction));
            pair = compare(second, best);
        }
        ModelSize size = ModelSize.valueOf(b.model.sizeClass().name());
        return AdviceReport.of(b.model.name(), size, b.metric, base.mean(b.metric), n, base.perQuery().size(),
                settings(), b.curveStrategy, curve, negatives, pair, secs(t0));
    }

    private AdviceRun run(NegativeStrategy s, double f, List<Integer> order,
            Map<NegativeStrategy, List<TrainingExample>> sampled, EvaluationResult base, Map<String, AdviceRun> runs,
            Map<String, EvaluationResult> results) {
        String key = key(s, f);
        AdviceRun done = runs.get(key);
        if (done != null) {
            b.progress.accept("run " + key + ": same as an earlier run, reused");
            return done;
        }
        long t0 = System.nanoTime();
        int size = subsetSize(order.size(), f);
        List<Integer> chosen = new ArrayList<>(order.subList(0, size));
        Collections.sort(chosen);
        List<TrainingExample> examples = new ArrayList<>(size);
        for (int i : chosen) {
            examples.add(sampled.get(s).get(i));
        }
        b.progress.accept(String.format(Locale.ROOT, "run %s: fine-tuning on %d examples ...", key, size));
        Finetuner.Builder fb = Finetuner.builder().batchSize(b.batchSize)
                .groupSize(s == NegativeStrategy.IN_BATCH ? 1 : b.groupSize).epochs(b.epochs).seed(b.seed)
                .saveFinal(false);
        if (b.learningRate != null) {
            fb.learningRate(b.learningRate);
        }
        if (b.queryMaxLength != null) {
            fb.queryMaxLength(b.queryMaxLength);
        }
        if (b.passageMaxLength != null) {
            fb.passageMaxLength(b.passageMaxLength);
        }
        EvaluationResult tuned;
        FinetuneResult r;
        try (BgeModel copy = b.model.copy()) {
            r = fb.build().fit(copy, TrainingSet.of(b.trainingSet.name() + "-" + key, examples));
            try (Embedder e = embedder(r.finalModel())) {
                tuned = b.devEvaluator.evaluate(e).withName(key);
            }
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
        }
        List<Double> losses = new ArrayList<>();
        for (StepRecord st : r.steps()) {
            if (!Double.isFinite(st.loss())) {
                break;
            }
            losses.add(st.loss());
        }
        AdviceRun out = new AdviceRun(s, f, size, r.stepsTaken(), compare(base, tuned), LossTrend.of(losses),
                secs(t0));
        b.progress.accept(String.format(Locale.ROOT, "run %s: %d steps, %s %.4f, gain %+.4f [%+.4f, %+.4f] (%.0f s)",
                key, out.steps(), b.metric, out.gain().tuned(), out.gain().delta(), out.gain().ciLow(),
                out.gain().ciHigh(), out.seconds()));
        runs.put(key, out);
        results.put(key, tuned);
        return out;
    }

    private MetricComparison compare(EvaluationResult reference, EvaluationResult other) {
        return Comparison.builder().base(reference).tuned(other).metrics(List.of(b.metric)).primary(b.metric)
                .seed(b.seed).build().metric(b.metric);
    }

    private List<TrainingExample> sample(NegativeStrategy s, List<TrainingExample> all) {
        return switch (s) {
            case IN_BATCH -> all.stream().map(e -> e.withNegatives(List.of())).toList();
            case RANDOM -> RandomNegativeSampler.builder().negativesPerQuery(b.negativesPerQuery).seed(b.seed).build()
                    .sample(all, b.miningCorpus).examples();
            case HARD, HARD_MARGIN -> {
                try (Embedder e = embedder(b.model)) {
                    DenseNegativeMiner.Builder m = DenseNegativeMiner.builder().embedder(e)
                            .rankWindow(b.hardFrom, b.hardTo).negativesPerQuery(b.negativesPerQuery)
                            .selection(Selection.RANDOM).seed(b.seed);
                    if (s == NegativeStrategy.HARD_MARGIN) {
                        m.relativeMargin(b.margin);
                    }
                    yield m.build().sample(all, b.miningCorpus).examples();
                }
            }
        };
    }

    private Embedder embedder(BgeModel m) {
        BgeEmbedder.Builder e = m.embedder().batchSize(b.evalBatchSize);
        if (b.passageMaxLength != null) {
            e.maxLength(b.passageMaxLength);
        }
        return e.build();
    }

    private String settings() {
        return String.format(Locale.ROOT, "B=%d, G=%d (in-batch only: G=1), %d epoch(s), learning rate %s,"
                + " lengths %s/%s, seed %d, %d negatives per query sampled, hard ranks %d-%d, margin %.2f,"
                + " fractions %s, negatives compared at %s", b.batchSize, b.groupSize, b.epochs,
                b.learningRate == null ? "the model-size default" : String.valueOf(b.learningRate),
                b.queryMaxLength == null ? "default" : b.queryMaxLength,
                b.passageMaxLength == null ? "default" : b.passageMaxLength, b.seed, b.negativesPerQuery, b.hardFrom,
                b.hardTo, b.margin, Arrays.toString(b.fractions), AdviceRules.pct(b.strategyFraction));
    }

    static int subsetSize(int n, double fraction) {
        return (int) Math.max(1, Math.min(n, Math.round(fraction * n)));
    }

    private static String key(NegativeStrategy s, double f) {
        return s.cliName() + "@" + AdviceRules.pct(f).replace(" ", "");
    }

    private static double secs(long t0) {
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

        private Builder(Builder o) {
            model = o.model;
            trainingSet = o.trainingSet;
            miningCorpus = o.miningCorpus;
            devEvaluator = o.devEvaluator;
            metric = o.metric;
            fractions = o.fractions.clone();
            curveStrategy = o.curveStrategy;
            strategies = List.copyOf(o.strategies);
            strategyFraction = o.strategyFraction;
            hardFrom = o.hardFrom;
            hardTo = o.hardTo;
            margin = o.margin;
            negativesPerQuery = o.negativesPerQuery;
            batchSize = o.batchSize;
            groupSize = o.groupSize;
            epochs = o.epochs;
            learningRate = o.learningRate;
            queryMaxLength = o.queryMaxLength;
            passageMaxLength = o.passageMaxLength;
            seed = o.seed;
            evalBatchSize = o.evalBatchSize;
            progress = o.progress;
        }

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
            require(model != null, "model", "is required");
            require(trainingSet != null && !trainingSet.isEmpty(), "trainingSet", "is required and must not be empty");
            require(devEvaluator != null, "devEvaluator", "is required");
            require(metric != null, "metric", "is required");
            require(fractions != null && fractions.length >= 1, "fractions", "needs at least one fraction");
            for (double f : fractions) {
                require(f > 0 && f <= 1, "fractions", "each must be in (0, 1], got " + f);
            }
            double[] sorted = fractions.clone();
            Arrays.sort(sorted);
            for (int i = 1; i < sorted.length; i++) {
                require(sorted[i] != sorted[i - 1], "fractions", "must be distinct, got " + Arrays.toString(fractions));
            }
            require(curveStrategy != null, "curveStrategy", "is required");
            require(strategies != null && strategies.stream().allMatch(Objects::nonNull), "strategies", "must be a list without nulls");
            require(strategies.stream().distinct().count() == strategies.size(), "strategies",
                    "must not repeat a strategy, got " + strategies);
            require(strategyFraction > 0 && strategyFraction <= 1, "strategyFraction",
                    "must be in (0, 1], got " + strategyFraction);
            boolean needsCorpus = curveStrategy != NegativeStrategy.IN_BATCH
                    || strategies.stream().anyMatch(s -> s != NegativeStrategy.IN_BATCH);
            require(!needsCorpus || (miningCorpus != null && miningCorpus.size() > 0), "miningCorpus",
                    "is required for random and hard negatives (or use only in-batch)");
            require(hardFrom >= 0 && hardTo > hardFrom, "hardRanks", "needs 0 <= from < to, got " + hardFrom + ", " + hardTo);
            require(margin >= 0 && margin < 1, "margin", "must be in [0, 1), got " + margin);
            require(batchSize >= 2, "batchSize", "must be at least 2 (in-batch negatives need a second query), got "
                    + batchSize);
            require(groupSize >= 2, "groupSize", "must be at least 2 (G − 1 negatives per query), got " + groupSize);
            require(negativesPerQuery >= groupSize - 1, "negativesPerQuery", "must be at least groupSize − 1 = "
                    + (groupSize - 1) + ", got " + negativesPerQuery);
            require(epochs >= 1, "epochs", "must be at least 1, got " + epochs);
            require(learningRate == null || learningRate > 0, "learningRate", "must be positive, got " + learningRate);
            require(queryMaxLength == null || queryMaxLength >= 2, "queryMaxLength", "must be at least 2");
            require(passageMaxLength == null || passageMaxLength >= 2, "passageMaxLength", "must be at least 2");
            require(evalBatchSize >= 1, "evalBatchSize", "must be at least 1, got " + evalBatchSize);
            require(progress != null, "progress", "must not be null");
            Builder copy = new Builder(this);
            copy.fractions = sorted;
            return new Advisor(copy);
        }

        private static void require(boolean ok, String option, String message) {
            if (!ok) {
                throw new IllegalArgumentException("Advisor option " + option + " " + message);
            }
        }
    }

    /** @return the fractions this advisor measures, ascending (a copy) */
    public double[] fractions() {
        return b.fractions.clone();
    }

    /** @return the base model's name (for logs) */
    @Override
    public String toString() {
        return "Advisor[" + Objects.requireNonNull(b.model).name() + ", fractions " + Arrays.toString(b.fractions)
                + ", strategies " + b.strategies + "]";
    }
}
