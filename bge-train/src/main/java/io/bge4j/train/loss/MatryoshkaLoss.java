package io.bge4j.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.bge4j.core.nn.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Matryoshka representation learning (Kusupati et al. 2022): applies an inner loss to the leading
 * {@code d} dimensions of every embedding, for several {@code d}, and returns the weighted sum
 * {@code Σ_k w_k · L(trunc_k(Q), trunc_k(P), trunc_k(E))}, where {@code trunc_k(x) = x[:, :d_k] / ‖x[:, :d_k]‖}
 * (re-normalised, since BGE scores are dot products of unit vectors). Extra negatives are truncated the
 * same way; teacher scores pass through unchanged. A model trained with it can be used at any of the
 * dimensions by truncating and re-normalising its embeddings.
 *
 * <p>The reported {@code contrastive}/{@code distillation} parts are the same weighted sums of the
 * inner parts (absent when any term lacks them); the scores are those of the first dimension.
 *
 * <p>Usage: {@code MatryoshkaLoss.of(InfoNceLoss.builder().build(), List.of(384, 256, 128, 64), List.of(1.0, 1.0, 1.0, 1.0))}
 */
public final class MatryoshkaLoss implements EmbeddingLoss {

    private final EmbeddingLoss inner;
    private final List<Integer> dims;
    private final List<Double> weights;

    private MatryoshkaLoss(EmbeddingLoss inner, List<Integer> dims, List<Double> weights) {
        this.inner = inner;
        this.dims = dims;
        this.weights = weights;
    }

    /**
     * @param inner the loss applied at each dimension
     * @param dims leading dimensions, distinct, each &ge; 1 (checked against the embeddings at compute time)
     * @param weights one finite weight &gt; 0 per dimension
     * @return the loss
     * @throws IllegalArgumentException naming the bad argument
     */
    public static MatryoshkaLoss of(EmbeddingLoss inner, List<Integer> dims, List<Double> weights) {
        Objects.requireNonNull(inner, "inner");
        if (dims == null || dims.isEmpty()) {
            throw new IllegalArgumentException("dims must list at least one dimension, e.g. [384, 256, 128, 64]");
        }
        if (weights == null || weights.size() != dims.size()) {
            throw new IllegalArgumentException("weights must have one value per dimension (" + (dims.size())
                    + "), got " + (weights == null ? "none" : weights.size()));
        }
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) == null || dims.get(i) < 1) {
                throw new IllegalArgumentException("dims[" + i + "] must be >= 1, got " + dims.get(i));
            }
            if (dims.indexOf(dims.get(i)) != i) {
                throw new IllegalArgumentException("dims[" + i + "] = " + dims.get(i) + " is listed twice");
            }
            Double w = weights.get(i);
            if (w == null || !(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("weights[" + i + "] must be a finite value > 0, got " + w);
            }
        }
        return new MatryoshkaLoss(inner, List.copyOf(dims), List.copyOf(weights));
    }

    /** @return the dimensions, in the order given */
    public List<Integer> dims() {
        return dims;
    }

    /** @return the weights, one per dimension */
    public List<Double> weights() {
        return weights;
    }

    /** @return the loss applied at each dimension */
    public EmbeddingLoss inner() {
        return inner;
    }

    @Override
    public String describe() {
        return "Matryoshka(dims=" + dims + ", weights=" + weights + ", inner=" + inner.describe() + ")";
    }

    @Override
    public boolean usesTeacherScores() {
        return inner.usesTeacherScores();
    }

    @Override
    public LossResult compute(LossInput in) {
        long full = in.queries().getShape().get(1);
        List<LossResult> parts = new ArrayList<>(dims.size());
        for (int d : dims) {
            if (d > full) {
                throw new IllegalArgumentException("Matryoshka dimension " + d + " exceeds the embedding dimension "
                        + full);
            }
            NDManager m = in.queries().getManager();
            NDArray e = in.extraNegatives() == null ? null : truncate(in.extraNegatives(), d, m);
            LossInput cut = new LossInput(truncate(in.queries(), d, m), truncate(in.passages(), d, m),
                    in.groupSize(), in.teacherScores(), e, e == null ? null : in.extraNegativeMask(), in.guideScores());
            parts.add(inner.compute(cut));
        }
        return WeightedSumLoss.combine(parts, weights);
    }

    /** Leading {@code d} columns, re-normalised to unit length; owned by {@code m}. */
    static NDArray truncate(NDArray x, int d, NDManager m) {
        NDArray cut = x.get(new NDIndex(":, 0:" + d));
        own(cut, m);
        NDArray norm = own(cut.square().sum(new int[] {1}, true).sqrt(), m);
        NDArray safe = own(norm.maximum(own(Scalars.of(cut, 1e-12), m)), m);
        return own(cut.div(safe), m);
    }

    private static NDArray own(NDArray a, NDManager m) {
        if (a.getManager() != m) {
            a.attach(m);
        }
        return a;
    }
}
