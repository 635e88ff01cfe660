package io.bge4j.data.batch;

/**
 * What a {@link BatchComposer} did: nothing is lost silently, so
 * {@code examples == examples in batches + leftoverExamples}.
 *
 * <p>Usage: {@code log.info("{} examples deferred to avoid duplicate texts", report.deferredExamples());}
 *
 * @param examples examples given
 * @param batches batches produced
 * @param incompleteBatches batches smaller than the batch size (in the plan; dropped ones are not counted)
 * @param deferredExamples examples that had to wait for a later batch because a text clashed
 * @param leftoverExamples examples not placed because their batch was incomplete and
 *     {@code dropIncomplete} was set (they are returned in {@link BatchPlan#leftover()})
 * @param duplicatePassagesRemoved repeated positives/negatives removed within an example
 * @param negativesRemovedAsPositive negatives removed because they read the same as a positive of
 *     the same example
 */
public record BatchReport(int examples, int batches, int incompleteBatches, int deferredExamples,
                          int leftoverExamples, long duplicatePassagesRemoved, long negativesRemovedAsPositive) {
}
