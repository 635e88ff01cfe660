package io.bge4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.train.diagnostics.Diagnostic;
import io.bge4j.train.loss.MatryoshkaLoss;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamW;
import io.bge4j.train.optim.LearningRateSchedule;
import io.bge4j.train.plan.MemoryPlan;
import io.bge4j.train.report.Fingerprints;
import io.bge4j.train.report.MetricsLog;
import io.bge4j.train.report.ModelCardWriter;
import io.bge4j.train.report.OutputFile;
import io.bge4j.train.report.Provenance;
import io.bge4j.train.report.TrainingHistory;
import io.bge4j.train.report.TrainingReport;
import io.bge4j.train.report.VerdictReport;
import java.nio.file.Files;
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

    TrainingSession(RunSettings s) {
        this.s = s;
        this.c = s.config();
        this.metrics = c.outputDir() == null ? null : new MetricsWriter(c.outputDir());
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
        FinetuneResult result = new FinetuneResult(s.model(), best, steps, evaluation.evaluations(), log.diagnostics(),
                out.reason(), step, Optional.ofNullable(c.outputDir()), guards);
        if (c.outputDir() != null) {
            writeArtifacts(result, best);
        }
        log.end(result);
        return result;
    }

    /**
     * run_end in metrics.jsonl, a model card and provenance next to final/ and best/ (base vs the weights saved there,
     * with paired intervals when the evaluations kept per-query scores), verdict.md/verdict.json, and report.html.
     */
    private void writeArtifacts(FinetuneResult result, BgeModel best) {
        Duration time = Duration.between(started, Instant.now());
        metrics.runEnd(result.stepsTaken(), result.stopReason());
        Path finalDir = c.outputDir().resolve("final");
        if (c.saveFinal()) {
            writeCard(finalDir, s.model(), result, time, result.finalEvaluation().orElse(null));
        }
        Path bestDir = c.outputDir().resolve("best");
        if (result.bestEvaluation().isPresent() && Files.isDirectory(bestDir)) {
            writeCard(bestDir, best, result, time, result.bestEvaluation().get());
        }
        Optional<FinetuneVerdict> verdict = result.verdict();
        if (verdict.isPresent()) {
            VerdictReport.write(c.outputDir(), verdict.get(), nextStep(verdict.get(), bestDir)).forEach(this::report);
        } else {
            VerdictReport.removeOurs(c.outputDir()).forEach(f -> LOG.info("removed {}: an earlier run's verdict;"
                    + " this run has no base evaluation with per-query scores to compare with", f));
        }
        report(TrainingReport.write(c.outputDir().resolve(TrainingReport.FILE), TrainingHistory.read(metrics.file())
                .withDiagnostics(log.diagnostics()).withStopReason(result.stopReason().name())));
    }

    /** What to do after this verdict (with guards, the verdict's own text already covers a general regression). */
    private String nextStep(FinetuneVerdict v, Path bestDir) {
        String base = s.model().name();
        if (v.needsMerge()) {
            return "# measure the base/tuned merge ratio that keeps most of the gain within a general-domain bound:\n"
                    + "bge4j merge --model " + base + " --model " + bestDir + " --search --data <dev data> --general"
                    + " <guard data> --output <dir>   # see docs/verdict.md";
        }
        return switch (v.target().outcome()) {
            case IMPROVED -> !c.guardEvaluators().isEmpty() ? "# the guards held; use " + bestDir
                    : "# the trainer measured " + v.target().evaluator() + " only; check that general-domain"
                    + " quality held (a set outside your domain, e.g. data/wordnet-nouns-en):\n"
                    + "bge4j evaluate --model " + base + " --model " + bestDir + " --data data/wordnet-nouns-en --split test";
            case NO_SIGNIFICANT_CHANGE -> "# more or harder training data, or more epochs; then compare again:\n"
                    + "bge4j evaluate --model " + base + " --model " + bestDir + " --data <your data set> --split test";
            case REGRESSED -> "# keep the base model; check the training pairs (wrong labels, negatives that are"
                    + " really positives) and lower the learning rate";
        };
    }

    /** @param after the evaluation of the weights in {@code dir}, or null when none ran at exactly those weights */
    private void writeCard(Path dir, BgeModel saved, FinetuneResult result, Duration time, EvaluationRecord after) {
        Provenance.Builder p = Provenance.builder()
                .baseModel(s.model().name(), s.model().name(), baseFingerprint)
                .model(saved)
                .trainingSet(s.trainingSet())
                .configuration(RunFingerprint.options(s, totalSteps))
                .loss(s.loss().describe())
                .training(result, time);
        Optional<EvaluationRecord> before = result.baseEvaluation();
        if (c.evaluator() != null && before.isPresent() && after != null) {
            Optional<Comparison> cmp = result.comparedToBase(after);
            if (cmp.isPresent()) {
                p.evaluation(cmp.get(), c.evaluator().name());
            } else {
                p.evaluation(before.get(), after, c.evaluator().name());
            }
        }
        ModelCardWriter.writeAll(dir, p.build()).forEach(this::report);
    }

    private void report(OutputFile f) {
        if (f.status() == OutputFile.Status.SKIPPED) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "OUTPUT_KEPT", 0, f.reason(),
                    "remove or rename the file to let bge4j write it");
        }
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
        if (metrics != null) {
            metrics.close();
        }
    }
}
