package io.bge4j.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;

/**
 * The embeddings of one training step as {@link InfoNceLoss} consumes them.
 *
 * <p>Passages use the group layout: for query {@code i} rows {@code i·G .. i·G+G−1} of
 * {@code passages} are its group, row {@code i·G} its positive and the rest its negatives.
 *
 * <p>Usage: {@code LossInput in = LossInput.of(q, p, 8).withTeacherScores(teacher).withExtraNegatives(mem, mask);}
 *
 * @param queries B×d query embeddings (usually L2-normalised, with gradient)
 * @param passages (B·G)×d passage embeddings in group layout
 * @param groupSize G, passages per query (1 positive + G−1 negatives), at least 1
 * @param teacherScores B×G raw teacher scores for each query's group (same order as the passages),
 *     or {@code null} for no distillation
 * @param extraNegatives M×d extra negative embeddings (e.g. a cross-batch memory, no gradient) appended
 *     as extra score columns, or {@code null}
 * @param extraNegativeMask B×M, {@code true} where extra negative {@code m} must not count for query
 *     {@code i} (e.g. it is the same text as the query's positive), or {@code null} for no exclusion;
 *     only allowed with {@code extraNegatives}
 * @param guideScores B×C similarities from a guide model (no gradient) for each query against the
 *     candidates a loss scores (B·G in-batch, or its own G), read by {@link GuidedMaskingLoss}; or
 *     {@code null}
 */
public record LossInput(
        NDArray queries,
        NDArray passages,
        int groupSize,
        double[][] teacherScores,
        NDArray extraNegatives,
        boolean[][] extraNegativeMask,
        double[][] guideScores) {

    /** Checks that every shape agrees with the group layout and names the one that does not. */
    public LossInput {
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(passages, "passages");
        Shape qs = queries.getShape();
        Shape ps = passages.getShape();
        if (qs.dimension() != 2 || ps.dimension() != 2) {
            throw new IllegalArgumentException("queries and passages must be 2-d (rows × dim), got queries "
                    + qs + " and passages " + ps);
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("groupSize must be >= 1 (1 positive + G-1 negatives), got " + groupSize);
        }
        long b = qs.get(0);
        long d = qs.get(1);
        if (b < 1) {
            throw new IllegalArgumentException("queries must have at least one row, got " + qs);
        }
        if (ps.get(0) != b * groupSize) {
            throw new IllegalArgumentException("passages must have B·G = " + b + "·" + groupSize + " = "
                    + (b * groupSize) + " rows in group layout, got " + ps.get(0));
        }
        if (ps.get(1) != d) {
            throw new IllegalArgumentException("passages dim " + ps.get(1) + " differs from queries dim " + d);
        }
        if (teacherScores != null) {
            if (teacherScores.length != b) {
                throw new IllegalArgumentException("teacherScores must have one row per query (" + b + "), got "
                        + teacherScores.length);
            }
            for (int i = 0; i < teacherScores.length; i++) {
                if (teacherScores[i] == null || teacherScores[i].length != groupSize) {
                    throw new IllegalArgumentException("teacherScores[" + i + "] must have groupSize = " + groupSize
                            + " values (one per group passage), got "
                            + (teacherScores[i] == null ? "null" : teacherScores[i].length));
                }
                for (double t : teacherScores[i]) {
                    if (!Double.isFinite(t)) {
                        throw new IllegalArgumentException("teacherScores[" + i + "] contains a non-finite value " + t);
                    }
                }
            }
        }
        if (extraNegatives != null) {
            Shape es = extraNegatives.getShape();
            if (es.dimension() != 2 || es.get(1) != d) {
                throw new IllegalArgumentException("extraNegatives must be M×" + d + ", got " + es);
            }
            if (extraNegativeMask != null) {
                if (extraNegativeMask.length != b) {
                    throw new IllegalArgumentException("extraNegativeMask must have one row per query (" + b
                            + "), got " + extraNegativeMask.length);
                }
                for (int i = 0; i < extraNegativeMask.length; i++) {
                    if (extraNegativeMask[i] == null || extraNegativeMask[i].length != es.get(0)) {
                        throw new IllegalArgumentException("extraNegativeMask[" + i + "] must have M = " + es.get(0)
                                + " entries, got " + (extraNegativeMask[i] == null ? "null" : extraNegativeMask[i].length));
                    }
                }
            }
        } else if (extraNegativeMask != null) {
            throw new IllegalArgumentException("extraNegativeMask given without extraNegatives");
        }
        if (guideScores != null) {
            if (guideScores.length != b) {
                throw new IllegalArgumentException("guideScores must have one row per query (" + b + "), got "
                        + guideScores.length);
            }
            for (int i = 0; i < guideScores.length; i++) {
                double[] row = guideScores[i];
                if (row == null || (row.length != b * groupSize && row.length != groupSize)) {
                    throw new IllegalArgumentException("guideScores[" + i + "] must have B·G = " + (b * groupSize)
                            + " (in-batch) or G = " + groupSize + " (group-only) values, got "
                            + (row == null ? "null" : row.length));
                }
                if (row.length != guideScores[0].length) {
                    throw new IllegalArgumentException("guideScores[" + i + "] has " + row.length
                            + " values but guideScores[0] has " + guideScores[0].length);
                }
                for (double v : row) {
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException("guideScores[" + i + "] contains a non-finite value " + v);
                    }
                }
            }
        }
    }

    /**
     * The input without guide scores (the form every loss but {@link GuidedMaskingLoss} needs).
     *
     * @param queries B×d query embeddings
     * @param passages (B·G)×d passage embeddings in group layout
     * @param groupSize G
     * @param teacherScores B×G teacher scores or {@code null}
     * @param extraNegatives M×d extra negatives or {@code null}
     * @param extraNegativeMask B×M exclusions or {@code null}
     */
    public LossInput(NDArray queries, NDArray passages, int groupSize, double[][] teacherScores,
            NDArray extraNegatives, boolean[][] extraNegativeMask) {
        this(queries, passages, groupSize, teacherScores, extraNegatives, extraNegativeMask, null);
    }

    /**
     * @param queries B×d query embeddings
     * @param passages (B·G)×d passage embeddings in group layout
     * @param groupSize G
     * @return an input with neither teacher scores nor extra negatives
     */
    public static LossInput of(NDArray queries, NDArray passages, int groupSize) {
        return new LossInput(queries, passages, groupSize, null, null, null);
    }

    /**
     * @param scores B×G raw teacher scores (the loss applies the teacher temperature and softmax)
     * @return a copy carrying teacher scores
     */
    public LossInput withTeacherScores(double[][] scores) {
        return new LossInput(queries, passages, groupSize, scores, extraNegatives, extraNegativeMask, guideScores);
    }

    /**
     * @param negatives M×d extra negatives (their gradient is ignored)
     * @param mask B×M exclusions ({@code true} = ignore for that query), or {@code null}
     * @return a copy carrying extra negatives
     */
    public LossInput withExtraNegatives(NDArray negatives, boolean[][] mask) {
        return new LossInput(queries, passages, groupSize, teacherScores, negatives, mask, guideScores);
    }

    /**
     * @param scores B×C guide similarities (computed without gradient, e.g. by the frozen base model)
     * @return a copy carrying guide scores for {@link GuidedMaskingLoss}
     */
    public LossInput withGuideScores(double[][] scores) {
        return new LossInput(queries, passages, groupSize, teacherScores, extraNegatives, extraNegativeMask, scores);
    }

    /** @return B, the number of queries */
    public int batchSize() {
        return Math.toIntExact(queries.getShape().get(0));
    }
}
