package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.train.merge.VerdictMerge;
import io.bge4j.train.report.ModelCardWriter;
import io.bge4j.train.report.OutputFile;
import io.bge4j.train.report.Provenance;
import io.bge4j.train.report.TrainingHistory;
import io.bge4j.train.report.TrainingReport;
import io.bge4j.train.report.VerdictReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files a run writes when it ends: run_end in metrics.jsonl, a model card and provenance next to final/ and
 * best/ (base vs the weights saved there, with paired intervals when the evaluations kept per-query scores),
 * verdict.md/verdict.json with the next step, and report.html. A file bge4j did not write is kept (an
 * {@code OUTPUT_KEPT} warning says so).
 */
final class RunArtifacts {

    private static final Logger LOG = LoggerFactory.getLogger(RunArtifacts.class);

    private final RunSettings s;
    private final FinetuneConfig c;
    private final RunLog log;
    private final MetricsWriter metrics;
    private final String baseFingerprint;
    private final long totalSteps;

    /**
     * @param s the run
     * @param log its diagnostics
     * @param metrics its metrics.jsonl
     * @param baseFingerprint the base weights' fingerprint, taken before resume or training changed them
     * @param totalSteps the planned steps
     */
    RunArtifacts(RunSettings s, RunLog log, MetricsWriter metrics, String baseFingerprint, long totalSteps) {
        this.s = s;
        this.c = s.config();
        this.log = log;
        this.metrics = metrics;
        this.baseFingerprint = baseFingerprint;
        this.totalSteps = totalSteps;
    }

    /** Writes everything for {@code result}; {@code best} is the model saved in best/. */
    void write(FinetuneResult result, BgeModel best, Duration time) {
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
    String nextStep(FinetuneVerdict v, Path bestDir) {
        String base = s.model().name();
        if (v.needsMerge()) {
            return v.optionalMerge().map(m -> VerdictMerge.nextStep(m, base, bestDir, c.outputDir().resolve("merged"),
                    c.maxGeneralDrop())).orElse("# measure the base/tuned merge"
                    + " ratio that keeps most of the gain within a general-domain bound:\n"
                    + "bge4j merge --model " + base + " --model " + bestDir + " --search --data <dev data> --general"
                    + " <guard data> --output <dir>   # see docs/verdict.md");
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
}
