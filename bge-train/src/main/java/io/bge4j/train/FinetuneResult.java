package io.bge4j.train;

import io.bge4j.core.BgeModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a fine-tune produced.
 *
 * <p>Usage: {@code FinetuneResult r = finetuner.fit(); r.bestModel().save(out);}
 *
 * @param finalModel the trained model (the instance passed to the builder, updated in place)
 * @param bestModel the best model by the primary metric (a separate copy; equals {@code finalModel} without an evaluator)
 * @param steps every optimizer step
 * @param evaluations every evaluation (the first, at step 0, is the base model when an evaluator is set)
 * @param diagnostics preflight and in-training findings
 * @param stopReason why training ended
 * @param stepsTaken the last completed step
 * @param outputDir where files were written, if an output directory was set
 */
public record FinetuneResult(BgeModel finalModel, BgeModel bestModel, List<StepRecord> steps,
        List<EvaluationRecord> evaluations, List<TrainingDiagnostic> diagnostics, StopReason stopReason,
        long stepsTaken, Optional<Path> outputDir) {

    /** Why training ended. */
    public enum StopReason {
        /** All planned steps were taken. */
        COMPLETED,
        /** The primary metric stopped improving for {@code patience} evaluations. */
        EARLY_STOPPED,
        /** The loss became NaN or infinite; the last good weights were kept. */
        NON_FINITE_LOSS
    }

    /** Copies the lists. */
    public FinetuneResult {
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
        diagnostics = List.copyOf(diagnostics);
    }

    /** @return the best evaluation, if any evaluation ran */
    public Optional<EvaluationRecord> bestEvaluation() {
        return evaluations.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b);
    }
}
