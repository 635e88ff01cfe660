package io.bge4j.train.advise;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.MetricComparison;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The advisor's runs: each fine-tunes a copy of the base on one subset with one strategy's negatives,
 * measures it on the dev split against the base (paired bootstrap) and keeps it, so a run the curve
 * and the negatives comparison both ask for is made once.
 */
final class AdviceTrials {

    private final AdvisorOptions o;
    private final AdviceData data;
    private final EvaluationResult base;
    private final Map<String, AdviceRun> runs = new LinkedHashMap<>();
    private final Map<String, EvaluationResult> results = new LinkedHashMap<>();

    AdviceTrials(AdvisorOptions o, AdviceData data, EvaluationResult base) {
        this.o = o;
        this.data = data;
        this.base = base;
    }

    /** The run with strategy {@code s} at fraction {@code f}, made now unless it was made before. */
    AdviceRun run(NegativeStrategy s, double f) {
        String key = key(s, f);
        AdviceRun done = runs.get(key);
        if (done != null) {
            o.progress().accept("run " + key + ": same as an earlier run, reused");
            return done;
        }
        long t0 = System.nanoTime();
        List<TrainingExample> examples = data.subset(s, f);
        int size = examples.size();
        o.progress().accept(String.format(Locale.ROOT, "run %s: fine-tuning on %d examples ...", key, size));
        EvaluationResult tuned;
        FinetuneResult r;
        try (BgeModel copy = o.model().copy()) {
            r = finetuner(s).fit(copy, TrainingSet.of(o.trainingSet().name() + "-" + key, examples));
            try (Embedder e = o.embedder(r.finalModel())) {
                tuned = o.devEvaluator().evaluate(e).withName(key);
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
                Advisor.secs(t0));
        o.progress().accept(String.format(Locale.ROOT, "run %s: %d steps, %s %.4f, gain %+.4f [%+.4f, %+.4f]"
                + " (%.0f s)", key, out.steps(), o.metric(), out.gain().tuned(), out.gain().delta(),
                out.gain().ciLow(), out.gain().ciHigh(), out.seconds()));
        runs.put(key, out);
        results.put(key, tuned);
        return out;
    }

    /** The paired comparison of the two best strategies' dev results (the runner-up as the reference). */
    MetricComparison compareBestTwo(List<AdviceRun> negatives) {
        List<AdviceRun> ranked = new ArrayList<>(negatives);
        ranked.sort((x, y) -> Double.compare(y.gain().delta(), x.gain().delta()));
        EvaluationResult best = results.get(key(ranked.get(0).strategy(), o.strategyFraction()));
        EvaluationResult second = results.get(key(ranked.get(1).strategy(), o.strategyFraction()));
        return compare(second, best);
    }

    private Finetuner finetuner(NegativeStrategy s) {
        Finetuner.Builder fb = Finetuner.builder().batchSize(o.batchSize())
                .groupSize(s == NegativeStrategy.IN_BATCH ? 1 : o.groupSize()).epochs(o.epochs()).seed(o.seed())
                .saveFinal(false);
        if (o.learningRate() != null) {
            fb.learningRate(o.learningRate());
        }
        if (o.queryMaxLength() != null) {
            fb.queryMaxLength(o.queryMaxLength());
        }
        if (o.passageMaxLength() != null) {
            fb.passageMaxLength(o.passageMaxLength());
        }
        return fb.build();
    }

    private MetricComparison compare(EvaluationResult reference, EvaluationResult other) {
        return Comparison.builder().base(reference).tuned(other).metrics(List.of(o.metric())).primary(o.metric())
                .seed(o.seed()).build().metric(o.metric());
    }

    private static String key(NegativeStrategy s, double f) {
        return s.cliName() + "@" + AdviceRules.pct(f).replace(" ", "");
    }
}
