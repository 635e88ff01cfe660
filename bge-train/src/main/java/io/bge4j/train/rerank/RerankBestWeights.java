package io.bge4j.train.rerank;

import io.bge4j.core.weights.TensorData;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.train.EvaluationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reranker's evaluation policy: with an evaluator, every {@code evaluateEvery} steps (before the
 * last) and at the end; the weights of the best evaluation are kept and restored at the end unless
 * the final weights are the best.
 */
final class RerankBestWeights {
    private static final Logger LOG = LoggerFactory.getLogger(RerankerFinetuner.class);

    private final RerankOptions o;
    private final List<EvaluationRecord> evaluations = new ArrayList<>();
    private Map<String, TensorData> best;
    private double bestValue = Double.NEGATIVE_INFINITY;

    RerankBestWeights(RerankOptions o) {
        this.o = o;
    }

    /** After step {@code step} of {@code total}: evaluates when due, keeping the weights of a new best. */
    void afterStep(long step, long total) {
        if (o.evaluator() != null && o.evaluateEvery() > 0 && step % o.evaluateEvery() == 0 && step < total) {
            EvaluationRecord er = evaluate(step);
            if (er.isBest()) {
                bestValue = er.primaryValue();
                best = o.model().toTensors();
            }
        }
    }

    /** At the end, after step {@code step}: the final evaluation, then the best weights back when they are not these. */
    void finish(long step) {
        if (o.evaluator() == null) {
            return;
        }
        EvaluationRecord er = evaluate(step);
        if (er.isBest()) {
            best = null;  // the final weights are the best
        } else if (best != null) {
            o.model().loadTensors(best);
            LOG.info("restored the best weights (step {}, {} = {})",
                    evaluations.stream().filter(EvaluationRecord::isBest).reduce((a, b) -> b).orElseThrow().step(),
                    er.primaryMetric(), bestValue);
        }
    }

    List<EvaluationRecord> evaluations() {
        return evaluations;
    }

    private EvaluationRecord evaluate(long step) {
        EvaluationResult r = o.evaluator().evaluate(o.firstStage(), o.model()).reranked();
        boolean isBest = r.primaryValue() > bestValue;
        EvaluationRecord er = new EvaluationRecord(step, r.primary().key(), r.primaryValue(), r.scalars(), isBest);
        o.listeners().forEach(l -> l.onEvaluation(er));
        evaluations.add(er);
        return er;
    }
}
