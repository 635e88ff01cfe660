package io.bge4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.train.diagnostics.Diagnostic;
import io.bge4j.train.diagnostics.LossMonitor;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.GradientClipping;
import io.bge4j.train.optim.LearningRateSchedule;
import java.util.Map;
import java.util.Optional;

/**
 * The step loop: for each optimizer step, the micro-batches through the step strategy, then clipping
 * and the AdamW update in a no-grad region, gradients zeroed in {@code finally}. What happens between
 * steps (negative refreshes, evaluation, checkpoints) is the {@link Hooks}' business; the loop knows
 * no file format and no evaluation policy.
 */
final class TrainingLoop {

    /** What the session does around the steps. */
    interface Hooks {
        /** Before the step that follows {@code completed} steps (e.g. refresh negatives). */
        void beforeStep(long completed);

        /** @return true to stop after step {@code completed} (early stopping) */
        boolean afterStep(long completed, boolean epochEnd);

        /** The loss or gradient of step {@code completed + 1} was not finite; the weights are those after {@code completed}. */
        void onNonFinite(long completed, long badStep, double value, Optional<Diagnostic> finding);
    }

    /** How the loop ended: the reason and the completed steps. */
    record Outcome(FinetuneResult.StopReason reason, long steps) {}

    private final RunSettings s;
    private final BatchSource batches;
    private final StepStrategy strategy;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final Optional<CrossBatchMemory> memory;
    private final RunLog log;
    private final Hooks hooks;
    private final LossMonitor monitor = LossMonitor.builder().build();
    private final Map<String, NDArray> params;

    TrainingLoop(RunSettings s, BatchSource batches, StepStrategy strategy, AdamW optimizer,
            LearningRateSchedule schedule, Optional<CrossBatchMemory> memory, RunLog log, Hooks hooks) {
        this.s = s;
        this.batches = batches;
        this.strategy = strategy;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.memory = memory;
        this.log = log;
        this.hooks = hooks;
        this.params = s.model().parameters();
    }

    Outcome run(long start, long totalSteps) {
        long step = start;
        long stepsPerEpoch = batches.stepsPerEpoch();
        while (step < totalSteps) {
            hooks.beforeStep(step);
            StepRecord rec = step(step, (int) (step / stepsPerEpoch));
            if (rec == null) {
                return new Outcome(FinetuneResult.StopReason.NON_FINITE_LOSS, step);
            }
            step = rec.step();
            if (hooks.afterStep(step, step % stepsPerEpoch == 0)) {
                return new Outcome(FinetuneResult.StopReason.EARLY_STOPPED, step);
            }
        }
        return new Outcome(FinetuneResult.StopReason.COMPLETED, step);
    }

    /** @return the record of step {@code completed + 1}, or null when it was not finite (weights untouched) */
    private StepRecord step(long completed, int epoch) {
        long t0 = System.nanoTime();
        int accumulation = s.config().gradientAccumulation();
        double loss = 0;
        double con = 0;
        double kd = 0;
        long masked = 0;
        StepStrategy.Padding padding = new StepStrategy.Padding(0, 0);
        int queries = 0;
        long next = completed + 1;
        try {
            for (int a = 0; a < accumulation; a++) {
                MicroBatch b = batches.assemble(completed * accumulation + a);
                queries += b.queries().size();
                padding = padding.plus(strategy.padding(b));
                StepStrategy.StepLosses l;
                try (NDManager sm = s.model().manager().newSubManager()) {
                    l = strategy.run(b, new StepStrategy.Context(s.model(), s.loss(), sm, s.config().groupSize(),
                            accumulation, s.config().seed(), completed, memory));
                }
                if (!l.finite()) {
                    hooks.onNonFinite(completed, next, l.loss(), monitor.observe(next, l.loss()).stream().findFirst());
                    return null;
                }
                loss += l.loss();
                con += l.contrastive();
                kd += l.distillation();
                masked += l.maskedCandidates();
            }
            double lr = schedule.learningRate(completed);
            double gradNorm;
            try (GradMode.Region r = GradMode.off()) {
                double max = s.config().maxGradNorm();
                gradNorm = max > 0 ? GradientClipping.clipByGlobalNorm(params, max) : GradientClipping.globalNorm(params);
                if (!Double.isFinite(gradNorm)) {
                    hooks.onNonFinite(completed, next, gradNorm, Optional.empty());
                    return null;
                }
                optimizer.step(params, lr);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            StepRecord rec = new StepRecord(next, epoch, loss / accumulation, con / accumulation, kd / accumulation, lr,
                    gradNorm, queries / secs, padding.real() / secs, masked, padding.efficiency());
            log.step(rec);
            for (Diagnostic d : monitor.observe(next, rec.loss())) {
                log.diagnose(d.severity() == Diagnostic.Severity.ERROR ? TrainingDiagnostic.Severity.ERROR
                        : TrainingDiagnostic.Severity.WARNING, d.kind().name(), d.step(), d.message(), d.suggestion());
            }
            return rec;
        } finally {
            try (GradMode.Region r = GradMode.off()) {
                AdamW.zeroGradients(params);
            }
        }
    }
}
