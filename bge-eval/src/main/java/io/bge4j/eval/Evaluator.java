package io.bge4j.eval;

import io.bge4j.core.Embedder;

/**
 * Something that measures an embedder and returns named scalar metrics, one of them primary.
 * bge-train calls it during training (for best-checkpoint selection and early stopping); implement it
 * to plug in a custom evaluation.
 *
 * <p>Usage:
 * <pre>{@code
 * Evaluator dev = RetrievalEvaluator.of(devQueries, corpus, devQrels);
 * EvaluationResult r = dev.evaluate(embedder);
 * double score = r.primaryValue();          // e.g. nDCG@10
 * Map<String, Double> all = r.scalars();    // every metric, by key
 * }</pre>
 */
@FunctionalInterface
public interface Evaluator {

    /**
     * Evaluates the embedder. Must not close it.
     *
     * @param embedder the embedder to measure
     * @return the metrics; {@link EvaluationResult#primary()} names the one to optimise (higher is better)
     */
    EvaluationResult evaluate(Embedder embedder);

    /** @return a short label for logs and reports */
    default String name() {
        return getClass().getSimpleName();
    }
}
