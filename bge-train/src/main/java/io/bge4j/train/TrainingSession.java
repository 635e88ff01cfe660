package io.bge4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.train.diagnostics.Diagnostic;
import io.bge4j.train.loss.MatryoshkaLoss;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.merge.VerdictMerge;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.LearningRateSchedule;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.report.Fingerprints;
import io.bge4j.train.report.MetricsLog;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link Finetuner}: preflight, the collaborators (batches, step strategy, optimizer,
 * memory, evaluation policy, checkpoints, metrics log), the loop and the result. Everything here lives
 * for one run only, so runs never share state.
 */
final class TrainingSession implements TrainingLoop.Hooks {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingSession.class);

    private final RunSettings s;
    private final FinetuneConfig c;
    private final List<StepRecord> steps = new ArrayList<>();
    private final MetricsWriter metrics;
    private final RunLog log;
    private final EvaluationPolicy evaluation;
    private List<TrainingExample> initialExamples;
    private BatchSource batches;
    private AdamW optimizer;
    private Optional<CrossBatchMemory> memory = Optional.empty();
    private boolean refreshed;
    private long totalSteps;
    private String dataHash;
    private String baseFingerprint;
    private Instant started;
    private BaseSnapshot baseSnapshot;

    TrainingSession(RunSettings s) {
        this.s = s;
        this.c = s.config();
        this.metrics = c.outputDir() == null ? null : new MetricsWriter(c.outputDir(), s.trainingSet().mix());
        List<TrainingListener> all = new ArrayList<>();
        if (metrics != null) {
            all.add(metrics);
        }
        all.add(new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                steps.add(r);
            }
        });
        this.log = new RunLog(all, c.listeners());
        this.evaluation = new EvaluationPolicy(s, log);
    }

    FinetuneResult run() {
        Map<String, NDArray> params = s.model().parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        try {
            started = Instant.now();
            if (c.outputDir() != null) {
                baseFingerprint = Fingerprints.model(s.model()); // before resume or training change the weights
            }
            MemoryPlan memoryPlan = Preflight.memoryPlan(s, log); // before sampling or evaluation: fail in seconds
            if (metrics != null && memoryPlan != null) {
                metrics.memoryPlan(memoryPlan);
            }
            setUp(Preflight.prepare(s, log));
            baseSnapshot = BaseSnapshot.takeIfNeeded(s); // like the default guide: before resume or any update
            long start = c.resumeFrom() != null ? resume(c.resumeFrom()) : 0;
            if (metrics != null) {
                metrics.runStart(new MetricsLog.RunStart(start, started.toString(),
                        c.resumeFrom() == null ? null : c.resumeFrom().toString()));
            }
            log.start(new TrainingPlan(batches.examples().size(), c.batchSize(), c.groupSize(),
                    c.gradientAccumulation(), batches.stepsPerEpoch(), totalSteps, start));
            if (start == 0 && evaluation.dueBeforeTraining()) {
                evaluation.evaluate(0);
            }
            LearningRateSchedule schedule = LearningRateSchedule.builder().peakLearningRate(s.learningRate())
                    .totalSteps(totalSteps).warmupRatio(c.warmupRatio()).decay(c.schedule()).build();
            TrainingLoop.Outcome out = new TrainingLoop(s, batches, StepStrategy.of(s, memoryPlan), optimizer, schedule,
                    memory, log, this).run(start, totalSteps);
            return finish(out);
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
            close();
        }
    }

    private void setUp(List<TrainingExample> examples) {
        initialExamples = examples;
        dataHash = RunFingerprint.dataHash(s.trainingSet().examples());
        batches = BatchSource.open(s, examples, log); // with guided masking, copies the guide now
        long perEpoch = batches.stepsPerEpoch();
        totalSteps = perEpoch * c.epochs();
        if (c.maxSteps() > 0) {
            totalSteps = c.maxSteps();
        }
        optimizer = AdamW.builder().weightDecay(c.weightDecay()).build();
        if (c.memorySize() > 0) {
            memory = Optional.of(CrossBatchMemory.builder().capacity(c.memorySize()).warmupSteps(c.memoryWarmup()).build());
        }
        if (s.loss() instanceof MatryoshkaLoss ml) {
            // every model this run saves (best/, final/, checkpoints) records the dimensions it is trained for
            s.model().setMatryoshkaDimensions(ml.dims());
        }
    }

    @Override
    public void beforeStep(long completed) {
        if (c.dynamicNegatives() == null || completed == 0 || !c.dynamicNegatives().isDue((int) completed)) {
            return;
        }
        try (GradMode.Region g = GradMode.off();
                Embedder e = s.model().embedder().batchSize(32).maxLength(s.embedderMaxLength()).build()) {
            Optional<SamplingResult> r = c.dynamicNegatives().onStep((int) completed, e);
            if (r.isPresent()) {
                batches.replaceExamples(r.get().examples());
                refreshed = true;
                log.diagnose(TrainingDiagnostic.Severity.INFO, "NEGATIVES_REFRESHED", completed,
                        r.get().report().summary(), "");
            }
        }
    }

    @Override
    public boolean afterStep(long completed, boolean epochEnd) {
        if (evaluation.dueAfter(completed, epochEnd, totalSteps)) {
            evaluation.evaluate(completed);
            if (evaluation.shouldStop(completed)) {
                return true;
            }
        }
        if (c.checkpointEvery() > 0 && completed % c.checkpointEvery() == 0) {
            checkpoint(completed);
        }
        return false;
    }

    @Override
    public void onNonFinite(long completed, long badStep, double value, Optional<Diagnostic> finding) {
        String where = c.outputDir() == null ? "in memory" : "in " + c.outputDir().resolve("last-good");
        log.diagnose(TrainingDiagnostic.Severity.ERROR, "NON_FINITE_LOSS", badStep, "loss or gradient became " + value
                + " at step " + badStep + "; training stopped and the weights after step " + completed + " were kept "
                + where, finding.map(Diagnostic::suggestion).orElse("lower the learning rate, raise the temperature,"
                        + " check the data for empty texts, or clip gradients harder"));
        if (c.outputDir() != null) {
            CheckpointStore.write(c.outputDir().resolve("last-good"), s.model(), contents(completed));
        }
    }

    private void checkpoint(long completed) {
        Path parent = c.outputDir().resolve("checkpoints");
        CheckpointStore.write(parent.resolve(String.format("step-%08d", completed)), s.model(), contents(completed));
        CheckpointStore.prune(parent, c.keepCheckpoints());
    }

    private CheckpointStore.Contents contents(long completed) {
        return new CheckpointStore.Contents(completed, RunFingerprint.options(s, totalSteps), dataHash,
                evaluation.state(), optimizer.exportState(), evaluation.bestWeightsUnlessAt(completed),
                refreshed ? batches.examples() : null, memory.flatMap(CrossBatchMemory::snapshot).orElse(null),
                new CheckpointStore.Progress(totalSteps, (int) (completed / batches.stepsPerEpoch()), c.seed(),
                        batches.examples().size(), evaluation.enabled() ? c.primaryMetric().toString() : null));
    }

    /** @return the step to continue from */
    private long resume(Path dir) {
        CheckpointStore.Loaded loaded = CheckpointStore.read(dir);
        CheckpointStore.Contents saved = loaded.contents();
        List<String> changed = RunFingerprint.compare(dir.toString(), saved.options(), saved.dataHash(),
                RunFingerprint.options(s, totalSteps), dataHash);
        if (!changed.isEmpty()) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "RESUME_OPTIONS_CHANGED", saved.step(), "resuming from "
                    + dir + " with changed options: " + String.join("; ", changed), "a changed step count re-plans"
                    + " the learning-rate schedule, so later steps differ from the run that wrote the checkpoint");
        }
        s.model().loadTensors(loaded.weights());
        optimizer.importState(saved.optimizer());
        evaluation.restore(saved.eval(), saved.bestWeights(), saved.step());
        if (saved.examples() != null) {
            batches.replaceExamples(saved.examples());
            refreshed = true;
        }
        if (saved.memory() != null) {
            memory.ifPresent(m -> m.restore(saved.memory(), s.model().device()));
        }
        LOG.info("resumed from {} at step {}", dir, saved.step());
        return saved.step();
    }

    private FinetuneResult finish(TrainingLoop.Outcome out) {
        long step = out.steps();
        if (c.outputDir() != null && c.saveFinal()) {
            s.model().save(c.outputDir().resolve("final"));
        }
        if (c.outputDir() != null && c.checkpointEvery() > 0 && out.reason() != FinetuneResult.StopReason.NON_FINITE_LOSS) {
            checkpoint(step);
        }
        BgeModel best = s.model();
        Map<String, TensorData> bestWeights = evaluation.bestWeightsUnlessAt(step);
        if (bestWeights != null) {
            best = s.model().copy();
            best.loadTensors(bestWeights);
        }
        GuideScorer.report(c, steps, log);
        List<GuardEvaluation> guards = evaluation.guards(best);
        Optional<VerdictMerge.Measured> merge = Optional.empty();
        if (baseSnapshot != null) { // the verdict of this run decides whether a merge is measured
            merge = baseSnapshot.measure(new FinetuneResult(s.model(), best, steps, evaluation.evaluations(), List.of(),
                    out.reason(), step, Optional.empty(), guards).verdict(), best, log, step);
        }
        FinetuneResult result = new FinetuneResult(s.model(), best, steps, evaluation.evaluations(), log.diagnostics(),
                out.reason(), step, Optional.ofNullable(c.outputDir()), guards, merge);
        if (c.outputDir() != null) {
            new RunArtifacts(s, log, metrics, baseFingerprint, totalSteps).write(result, best,
                    Duration.between(started, Instant.now()));
        }
        log.end(result);
        return result;
    }

    /** The parameter gradients of the first micro-batch, as training computes them (tests). */
    Map<String, float[]> firstBatchGradients() {
        Map<String, NDArray> params = s.model().parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        try {
            setUp(new ArrayList<>(s.trainingSet().examples()));
            MicroBatch b = batches.assemble(0);
            Map<String, float[]> out = new LinkedHashMap<>();
            try (NDManager sm = s.model().manager().newSubManager()) {
                StepStrategy.of(s).run(b, new StepStrategy.Context(s.model(), s.loss(), sm, c.groupSize(),
                        c.gradientAccumulation(), c.seed(), 0, memory));
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    try (NDManager scope = sm.newSubManager()) {
                        e.getValue().tempAttach(scope);
                        out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                    }
                }
            }
            return out;
        } finally {
            try (GradMode.Region g = GradMode.off()) {
                AdamW.zeroGradients(params);
            }
            params.values().forEach(p -> p.setRequiresGradient(false));
            close();
        }
    }

    private void close() {
        if (batches != null) {
            batches.close();
        }
        if (optimizer != null) {
            optimizer.close();
        }
        memory.ifPresent(CrossBatchMemory::close);
        if (baseSnapshot != null) {
            baseSnapshot.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
