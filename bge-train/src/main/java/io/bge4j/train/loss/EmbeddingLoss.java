package io.bge4j.train.loss;

/**
 * A training objective over pooled embeddings: the SPI every loss of the trainer implements. The
 * input holds the step's query embeddings, passage embeddings in group layout, optional teacher
 * scores and optional extra negatives; the result holds the scalar to back-propagate. Wrappers
 * ({@link MatryoshkaLoss}, {@link WeightedSumLoss}) take any loss, and every step strategy of the
 * trainer (full batch, GradCache) accepts any loss, because a loss only ever sees embeddings.
 *
 * <p>A loss must be a pure function of its input (no state between calls), so that a GradCache step
 * and a resumed run compute the same values; create its arrays on the manager of the queries.
 *
 * <p>Usage:
 * <pre>{@code
 * EmbeddingLoss loss = MatryoshkaLoss.of(InfoNceLoss.builder().temperature(0.02).build(),
 *         List.of(384, 256, 128, 64), List.of(1.0, 1.0, 1.0, 1.0));
 * Finetuner.builder().model(m).trainingSet(t).loss(loss).build().fit();
 * }</pre>
 */
public interface EmbeddingLoss {

    /**
     * @param in the step's embeddings (and teacher scores / extra negatives when present)
     * @return the scalar loss, its parts and the logits
     */
    LossResult compute(LossInput in);

    /**
     * @return a stable description of the loss and all its options; a checkpoint records it so that a
     *     resumed run with another loss is refused
     */
    String describe();

    /** @return whether the loss reads {@link LossInput#teacherScores()} (the trainer then warns when none arrive) */
    default boolean usesTeacherScores() {
        return false;
    }
}
