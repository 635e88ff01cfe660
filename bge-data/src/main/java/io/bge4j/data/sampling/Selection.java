package io.bge4j.data.sampling;

/**
 * How {@code n} negatives are taken from the candidates in a rank window.
 *
 * <p>Usage: {@code DenseNegativeMiner.builder().selection(Selection.TOP)}
 */
public enum Selection {
    /** The best-ranked {@code n} candidates (hardest). */
    TOP,
    /** {@code n} candidates drawn uniformly at random (seeded), as FlagEmbedding's hn_mine does. */
    RANDOM
}
