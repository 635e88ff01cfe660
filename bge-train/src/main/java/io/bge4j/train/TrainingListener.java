package io.bge4j.train;

/**
 * Receives what happens during a fine-tune: preflight findings, every optimizer step, every
 * evaluation, diagnostics and the end. All methods have empty defaults; implement what you need.
 *
 * <p>Usage: {@code Finetuner.builder()...listener(new TrainingListener() { public void onStep(StepRecord s) { ... } })}
 */
public interface TrainingListener {

    /**
     * Called once before the first step.
     *
     * @param plan steps, epochs and batch geometry of the run
     */
    default void onStart(TrainingPlan plan) {}

    /** @param record the step just taken */
    default void onStep(StepRecord record) {}

    /** @param record an evaluation just made */
    default void onEvaluation(EvaluationRecord record) {}

    /** @param finding something the user should know (preflight or during training) */
    default void onDiagnostic(TrainingDiagnostic finding) {}

    /** @param result the outcome */
    default void onEnd(FinetuneResult result) {}
}
