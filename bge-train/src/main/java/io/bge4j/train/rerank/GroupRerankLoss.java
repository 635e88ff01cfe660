package io.bge4j.train.rerank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.bge4j.core.nn.Scalars;

/**
 * FlagEmbedding's reranker loss over groups of one positive and G−1 negatives
 * ({@code AbsRerankerModel.forward}): the scores of each query's group, positive in column 0, go through a
 * softmax and the loss is the cross-entropy of column 0,
 * <pre>
 * L_ce = mean_b [ −log softmax(s_b)_0 ]
 * </pre>
 * and, when teacher scores t are given (knowledge distillation), plus
 * <pre>
 * L_kd = mean_b [ −Σ_g softmax(t_b)_g · log softmax(s_b)_g ]     (t without gradient)
 * L = L_ce + w · L_kd                                              (w = 1 in FlagEmbedding)
 * </pre>
 * The gradient with respect to s_b is {@code (softmax(s_b) − e_0)/B + w·(softmax(s_b) − softmax(t_b))/B}.
 *
 * <p>Reference: FlagEmbedding, {@code FlagEmbedding/abc/finetune/reranker/AbsModeling.py}.
 *
 * <p>Usage:
 * <pre>{@code
 * GroupRerankLoss loss = new GroupRerankLoss(1.0);
 * try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *     GroupRerankLoss.Result r = loss.compute(scores.reshape(b, g), teacherOrNull);
 *     gc.backward(r.loss());
 * }
 * }</pre>
 */
public final class GroupRerankLoss {

    /**
     * The loss and its parts.
     *
     * @param loss the scalar to back-propagate
     * @param crossEntropy the value of L_ce
     * @param distillation the value of L_kd (0 without teacher scores)
     */
    public record Result(NDArray loss, double crossEntropy, double distillation) {}

    private final double distillationWeight;

    /** @param distillationWeight w, the weight of the distillation term (&ge; 0; FlagEmbedding uses 1) */
    public GroupRerankLoss(double distillationWeight) {
        if (!(distillationWeight >= 0) || !Double.isFinite(distillationWeight)) {
            throw new IllegalArgumentException("distillationWeight must be finite and >= 0, got " + distillationWeight);
        }
        this.distillationWeight = distillationWeight;
    }

    /** @return w */
    public double distillationWeight() {
        return distillationWeight;
    }

    /**
     * @param scores float [B, G]: each row a query's group, positive first
     * @param teacher float [B, G] teacher scores in the same order, or null
     * @return the loss (owned by the manager of {@code scores}) and its parts
     */
    public Result compute(NDArray scores, NDArray teacher) {
        if (scores.getShape().dimension() != 2 || scores.getShape().get(1) < 2) {
            throw new IllegalArgumentException("scores must be [batch, group >= 2], got " + scores.getShape());
        }
        if (teacher != null && !teacher.getShape().equals(scores.getShape())) {
            throw new IllegalArgumentException("teacher scores " + teacher.getShape() + " do not match scores "
                    + scores.getShape());
        }
        NDArray logp = scores.logSoftmax(1);
        NDArray ce = logp.get(new NDIndex(":, 0")).mean().neg();
        double ceValue = ce.toType(DataType.FLOAT64, false).getDouble();
        if (teacher == null || distillationWeight == 0) {
            return new Result(ce, ceValue, 0);
        }
        NDArray target = teacher.stopGradient().toType(scores.getDataType(), false).softmax(1);
        NDArray kd = logp.mul(target).sum(new int[] {1}).mean().neg();
        double kdValue = kd.toType(DataType.FLOAT64, false).getDouble();
        NDArray loss = ce.add(kd.mul(Scalars.of(kd, distillationWeight)));
        return new Result(loss, ceValue, kdValue);
    }
}
