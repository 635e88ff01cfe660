package io.bge4j.train;

import io.bge4j.core.BgeModel;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import io.bge4j.train.merge.VerdictMerge;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frozen copy of the base weights a run keeps for its merge search ({@link Finetuner.Builder#mergeSearch}):
 * taken when the run starts, before resume or any update, the way guided masking copies its default guide
 * ({@link BgeModel#copy()} without gradient), and freed once the search has run. It costs one more model in memory
 * (on the model's device), so a run takes it only when a search can follow: the option is on (guards set), the base
 * is evaluated, and the run does not resume (a resumed run has no base evaluation to reach a verdict from).
 */
final class BaseSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BaseSnapshot.class);

    private final RunSettings s;
    private BgeModel base;

    private BaseSnapshot(RunSettings s, BgeModel base) {
        this.s = s;
        this.base = base;
    }

    /** @return the snapshot of {@code s.model()} as it is now, or null when this run cannot search a merge */
    static BaseSnapshot takeIfNeeded(RunSettings s) {
        FinetuneConfig c = s.config();
        if (!c.mergeSearch() || c.guardEvaluators().isEmpty() || !c.evaluateBase() || c.resumeFrom() != null) {
            return null;
        }
        try (GradMode.Region g = GradMode.off()) {
            return new BaseSnapshot(s, s.model().copy());
        }
    }

    /**
     * Measures the base/best merge when {@code verdict} needs one, then frees the snapshot.
     *
     * @param verdict the run's verdict, if any
     * @param best the best model of the run
     * @param log where the {@code MERGE_SEARCH} finding goes
     * @param step the run's last step (for the finding)
     * @return the measured merge, or empty when the verdict needs none or the search failed (then a
     *     {@code MERGE_SEARCH_FAILED} warning says why)
     */
    Optional<VerdictMerge.Measured> measure(Optional<FinetuneVerdict> verdict, BgeModel best, RunLog log, long step) {
        try {
            if (verdict.isEmpty() || !verdict.get().needsMerge()) {
                return Optional.empty();
            }
            FinetuneConfig c = s.config();
            VerdictMerge.Builder b = VerdictMerge.builder().base(base).tuned(best).target(c.evaluator())
                    .ratios(c.mergeRatios().stream().mapToDouble(Double::doubleValue).toArray())
                    .maxGeneralDrop(c.maxGeneralDrop())
                    .embedders(m -> m.embedder().batchSize(32).maxLength(s.embedderMaxLength()).build());
            for (Evaluator guard : c.guardEvaluators()) {
                b.guard(guard.name(), guard);
            }
            Optional<VerdictMerge.Measured> m;
            try (GradMode.Region g = GradMode.off()) {
                m = b.build().measure(verdict.get());
            } catch (RuntimeException e) { // the trained models are saved; a failed search must not lose the run
                LOG.warn("merge ratio search failed", e);
                log.diagnose(TrainingDiagnostic.Severity.WARNING, "MERGE_SEARCH_FAILED", step, "the target improved"
                        + " but a guard regressed, and measuring the merge ratio failed: " + e, "measure it with"
                        + " bge4j merge --search (docs/verdict.md)");
                return Optional.empty();
            }
            m.ifPresent(x -> {
                LOG.info("merge ratio search against guard {}:\n{}", x.guard(), x.search().table());
                MergeSuggestion ms = x.search().toSuggestion();
                log.diagnose(TrainingDiagnostic.Severity.INFO, "MERGE_SEARCH", step, String.format(Locale.ROOT,
                        "the target improved but guard %s regressed; merging base and best at tuned weights %s with"
                        + " its drop bounded by %s chose %.2f base / %.2f tuned: target %.4f (best %.4f, base %.4f),"
                        + " guard %.4f (base %.4f)", x.guard(), c.mergeRatios(), c.maxGeneralDrop(),
                        1 - ms.tunedWeight(), ms.tunedWeight(), ms.targetMerged(), ms.targetTuned(), ms.targetBase(),
                        ms.generalMerged(), ms.generalBase()), "see the verdict's next step");
            });
            return m;
        } finally {
            close();
        }
    }

    /** Frees the copy (once). */
    @Override
    public void close() {
        if (base != null) {
            base.close();
            base = null;
        }
    }
}
