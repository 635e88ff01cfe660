package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.weights.TensorData;
import io.bge4j.eval.EvaluationResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When to evaluate, which evaluation is the best, and when to stop early. The best model follows any
 * gain of the primary metric; patience counts evaluations without a gain of at least {@code minDelta}
 * over the reference (the last value that was such a gain). The records of the evaluation before training, the
 * best and the latest one keep the evaluator's full result (per-query scores) for paired comparisons.
 */
final class EvaluationPolicy {

    /**
     * The part of the policy a checkpoint must carry.
     *
     * @param bestValue the best primary value so far
     * @param bestStep its step (-1 before any evaluation)
     * @param patienceReference the value gains are measured against
     * @param evalsWithoutImprovement evaluations since the last gain of minDelta
     */
    record State(double bestValue, long bestStep, double patienceReference, int evalsWithoutImprovement) {
        static final State INITIAL = new State(Double.NEGATIVE_INFINITY, -1, Double.NEGATIVE_INFINITY, 0);
    }

    private final RunSettings s;
    private final RunLog log;
    private final List<EvaluationRecord> evaluations = new ArrayList<>();
    private State state = State.INITIAL;
    private Map<String, TensorData> bestWeights;
    private final List<EvaluationResult> guardBase = new ArrayList<>();

    EvaluationPolicy(RunSettings s, RunLog log) {
        this.s = s;
        this.log = log;
    }

    boolean enabled() {
        return s.config().evaluator() != null;
    }

    boolean dueBeforeTraining() {
        return enabled() && s.config().evaluateBase();
    }

    boolean dueAfter(long step, boolean epochEnd, long totalSteps) {
        FinetuneConfig c = s.config();
        boolean due = enabled() && ((c.evaluateEvery() > 0 && step % c.evaluateEvery() == 0)
                || (c.evaluateEachEpoch() && epochEnd) || step == totalSteps);
        return due && (evaluations.isEmpty() || evaluations.get(evaluations.size() - 1).step() != step);
    }

    /** Evaluates the model as it is after {@code step} steps (no gradient recorded). */
    EvaluationRecord evaluate(long step) {
        BgeModel model = s.model();
        EvaluationResult r;
        try (GradMode.Region g = GradMode.off();
                Embedder e = model.embedder().batchSize(32).maxLength(s.embedderMaxLength()).build()) {
            r = s.config().evaluator().evaluate(e);
        }
        double value = r.mean(s.config().primaryMetric());
        boolean best = value > state.bestValue();
        double ref = state.patienceReference();
        int without = state.evalsWithoutImprovement();
        if (value > ref + s.config().minDelta() || ref == Double.NEGATIVE_INFINITY) {
            ref = value;
            without = 0;
        } else {
            without++;
        }
        state = new State(best ? value : state.bestValue(), best ? step : state.bestStep(), ref, without);
        if (best) {
            bestWeights = model.toTensors();
            if (s.config().outputDir() != null) {
                model.save(s.config().outputDir().resolve("best"));
            }
        }
        if (step == 0 && guardBase.isEmpty()) {
            guardBase.addAll(evaluateGuards(model));
        }
        EvaluationRecord rec = new EvaluationRecord(step, s.config().primaryMetric().toString(), value,
                new LinkedHashMap<>(r.scalars()), best, r);
        evaluations.add(rec);
        dropPerQueryScores();
        log.evaluation(rec);
        return rec;
    }

    /**
     * Keeps the per-query scores only where a paired comparison needs them, so memory does not grow with the number
     * of evaluations: the evaluation before training (step 0), the best one and the latest one.
     */
    private void dropPerQueryScores() {
        int last = evaluations.size() - 1;
        for (int i = 0; i < last; i++) {
            EvaluationRecord e = evaluations.get(i);
            if (e.result() != null && e.step() != 0 && e.step() != state.bestStep()) {
                evaluations.set(i, e.withoutPerQuery());
            }
        }
    }

    /** @return whether patience is exhausted (after diagnosing it) */
    boolean shouldStop(long step) {
        FinetuneConfig c = s.config();
        if (c.patience() > 0 && state.evalsWithoutImprovement() >= c.patience()) {
            log.diagnose(TrainingDiagnostic.Severity.INFO, "EARLY_STOP", step, "no improvement of " + c.primaryMetric()
                    + " by " + c.minDelta() + " in " + c.patience() + " evaluations; best "
                    + String.format("%.4f", state.bestValue()) + " at step " + state.bestStep(), "");
            return true;
        }
        return false;
    }

    State state() {
        return state;
    }

    /** Weights of the best evaluation, or {@code null} when none or when they equal the current ones. */
    Map<String, TensorData> bestWeightsUnlessAt(long step) {
        return bestWeights != null && state.bestStep() != step ? bestWeights : null;
    }

    void restore(State restored, Map<String, TensorData> weights, long step) {
        this.state = restored;
        this.bestWeights = weights != null ? weights : restored.bestStep() == step ? s.model().toTensors() : null;
    }

    List<EvaluationRecord> evaluations() {
        return evaluations;
    }

    /**
     * Evaluates the guards on {@code best} and pairs them with their base results; logs one line per guard.
     *
     * @return one entry per guard, or none when the base was not evaluated in this run (a resumed run)
     */
    List<GuardEvaluation> guards(BgeModel best) {
        if (guardBase.isEmpty()) {
            if (!s.config().guardEvaluators().isEmpty()) {
                log.diagnose(TrainingDiagnostic.Severity.WARNING, "GUARD_NOT_COMPARED", 0, "the guard evaluators"
                        + " have no base result in this run (resumed, or evaluateBase(false)), so they were not"
                        + " compared", "evaluate the base and the model with bge4j evaluate on the guard data");
            }
            return List.of();
        }
        List<EvaluationResult> after = evaluateGuards(best);
        List<GuardEvaluation> out = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            String name = s.config().guardEvaluators().get(i).name();
            GuardEvaluation g = new GuardEvaluation(name, guardBase.get(i), after.get(i));
            out.add(g);
            io.bge4j.eval.MetricComparison m = g.comparison().metric(s.config().primaryMetric());
            log.diagnose(TrainingDiagnostic.Severity.INFO, "GUARD_EVALUATION", 0, String.format(java.util.Locale.ROOT,
                    "guard %s: %s %.4f -> %.4f (%+.4f, 95%% CI [%+.4f, %+.4f], p %.4f)", name,
                    s.config().primaryMetric(), m.base(), m.tuned(), m.delta(), m.ciLow(), m.ciHigh(), m.pValue()), "");
        }
        return out;
    }

    private List<EvaluationResult> evaluateGuards(BgeModel model) {
        List<EvaluationResult> out = new ArrayList<>();
        for (io.bge4j.eval.Evaluator guard : s.config().guardEvaluators()) {
            try (GradMode.Region g = GradMode.off();
                    Embedder e = model.embedder().batchSize(32).maxLength(s.embedderMaxLength()).build()) {
                out.add(guard.evaluate(e).withName(guard.name()));
            }
        }
        return out;
    }
}
