package io.bge4j.train.rerank;

import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.StepRecord;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link RerankerFinetuner} run did. The cross-encoder itself was trained in place (and, with an
 * evaluator, holds the best evaluated weights).
 *
 * <p>Usage: {@code result.steps().get(result.steps().size() - 1).loss()}
 *
 * @param steps one record per optimizer step
 * @param evaluations one record per evaluation (empty without an evaluator)
 * @param usedExamples examples that had at least one negative and were trained on
 * @param skippedExamples examples without negatives, left out
 * @param distilled whether teacher scores were used
 * @param seconds wall time of the run
 */
public record RerankerFinetuneResult(List<StepRecord> steps, List<EvaluationRecord> evaluations, int usedExamples,
        int skippedExamples, boolean distilled, double seconds) {

    /** Copies the lists. */
    public RerankerFinetuneResult {
        steps = List.copyOf(steps);
        evaluations = List.copyOf(evaluations);
    }

    /** @return the best evaluation, if any evaluation ran */
    public Optional<EvaluationRecord> bestEvaluation() {
        return evaluations.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b);
    }
}
