package io.bge4j.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * InfoNCE with guided false-negative masking (after GISTEmbed): a guide model's similarities decide
 * which candidates are probably positives too, and those are removed from the query's softmax.
 *
 * <p>The scores are those of {@link InfoNceLoss} without distillation (one shared computation): {@code S = Q·Pᵀ / τ} against all
 * B·G passages (in-batch) or the query's own G (group-only); the target of query {@code i} is column
 * {@code i·G} or 0. {@link LossInput#guideScores()} holds the guide's similarity {@code g[i][j]} for the
 * same B×C layout. With {@code p = g[i][target]}, a candidate {@code j ≠ target} is masked when
 * {@code g[i][j] > p − margin} (absolute margin) or {@code g[i][j] > (1 − margin)·p} (relative margin);
 * a masked logit gets the data type's lowest finite value, so it drops out of the softmax and gets no
 * gradient. With margin 0 both rules mask exactly the candidates the guide ranks strictly above the
 * positive. {@link LossResult#maskedCandidates()} reports how many (query, candidate) pairs were masked.
 * An input without guide scores masks nothing and gives the plain InfoNCE value.
 *
 * <p>Teacher scores are ignored; extra negatives (cross-batch memory) are refused, because the guide
 * has not scored them.
 *
 * <p>Usage:
 * <pre>{@code
 * GuidedMaskingLoss loss = GuidedMaskingLoss.builder().temperature(0.02).margin(0.05).build();
 * LossResult r = loss.compute(LossInput.of(q, p, 8).withGuideScores(guide));
 * long masked = r.maskedCandidates();
 * }</pre>
 */
public final class GuidedMaskingLoss implements EmbeddingLoss {

    /** How the margin widens the masking threshold below the positive's guide score. */
    public enum MarginType {
        /** mask when {@code g[i][j] > p − margin} */
        ABSOLUTE,
        /** mask when {@code g[i][j] > (1 − margin)·p} */
        RELATIVE
    }

    private final double temperature;
    private final boolean inBatchNegatives;
    private final double margin;
    private final MarginType marginType;

    private GuidedMaskingLoss(Builder b) {
        this.temperature = b.temperature;
        this.inBatchNegatives = b.inBatchNegatives;
        this.margin = b.margin;
        this.marginType = b.marginType;
    }

    /** @return a builder with τ = 0.02, in-batch negatives on, absolute margin 0 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return τ, the divisor of the dot products */
    public double temperature() {
        return temperature;
    }

    /** @return whether the other queries' passages count as candidates */
    public boolean inBatchNegatives() {
        return inBatchNegatives;
    }

    /** @return the margin (absolute, or a fraction of the positive's guide score) */
    public double margin() {
        return margin;
    }

    /** @return how the margin is applied */
    public MarginType marginType() {
        return marginType;
    }

    @Override
    public String describe() {
        return "GuidedMasking(temperature=" + temperature + ", inBatchNegatives=" + inBatchNegatives + ", margin="
                + margin + ", marginType=" + marginType + ")";
    }

    /**
     * Which candidates the guide scores mask, as a pure function of the scores.
     *
     * @param guide B×C guide similarities
     * @param target per query, the column of its own positive
     * @return B×C, {@code true} where the candidate is masked (never at the target)
     */
    boolean[][] mask(double[][] guide, long[] target) {
        boolean[][] out = new boolean[guide.length][];
        for (int i = 0; i < guide.length; i++) {
            double p = guide[i][Math.toIntExact(target[i])];
            double threshold = marginType == MarginType.ABSOLUTE ? p - margin : (1 - margin) * p;
            out[i] = new boolean[guide[i].length];
            for (int j = 0; j < guide[i].length; j++) {
                out[i][j] = j != target[i] && guide[i][j] > threshold;
            }
        }
        return out;
    }

    /**
     * Computes the masked InfoNCE; call it inside a gradient collector to back-propagate.
     *
     * @param in embeddings, group size and the guide scores
     * @return the scalar loss (also the contrastive part), the masked logits and the masked count
     * @throws IllegalArgumentException if the embeddings are neither float32 nor float64, if extra
     *     negatives are present, or if the guide scores do not have the C columns of this mode
     */
    @Override
    public LossResult compute(LossInput in) {
        Logits.Batch scored = Logits.of(in, temperature, inBatchNegatives); // checks the data types first
        if (in.extraNegatives() != null) {
            throw new IllegalArgumentException("GuidedMaskingLoss does not take extra negatives (cross-batch"
                    + " memory): the guide has not scored them; turn the memory off or use InfoNceLoss");
        }
        NDArray q = in.queries();
        DataType dt = q.getDataType();
        NDManager mgr = q.getManager();
        int b = in.batchSize();
        int columns = inBatchNegatives ? b * in.groupSize() : in.groupSize();
        long[] target = scored.groupStart();
        NDArray logits = scored.scores();
        long masked = 0;
        double[][] guide = in.guideScores();
        if (guide != null) {
            if (guide[0].length != columns) {
                throw new IllegalArgumentException("guideScores rows have " + guide[0].length + " values but this loss"
                        + " scores " + columns + " candidates per query (inBatchNegatives=" + inBatchNegatives + ")");
            }
            boolean[][] mask = mask(guide, target);
            double low = Logits.lowest(dt);
            double[] add = new double[b * columns];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < columns; j++) {
                    if (mask[i][j]) {
                        add[i * columns + j] = low;
                        masked++;
                    }
                }
            }
            if (masked > 0) {
                logits = logits.add(Logits.constant(mgr, add, new Shape(b, columns), dt));
            }
        }
        NDArray index = mgr.create(target, new Shape(b, 1));
        NDArray ce = logits.logSoftmax(1).gather(index, 1).reshape(b).neg().mean();
        return new LossResult(ce, ce, null, logits, masked);
    }

    /**
     * Builder for {@link GuidedMaskingLoss}; {@link #build()} validates every option.
     *
     * <p>Usage: {@code GuidedMaskingLoss.builder().margin(0.1).marginType(MarginType.RELATIVE).build()}
     */
    public static final class Builder {
        private double temperature = 0.02;
        private boolean inBatchNegatives = true;
        private double margin = 0.0;
        private MarginType marginType = MarginType.ABSOLUTE;

        private Builder() {}

        /** @param tau score divisor, &gt; 0 (default 0.02) @return this */
        public Builder temperature(double tau) {
            this.temperature = tau;
            return this;
        }

        /** @param on score each query against every passage of the batch (default true) @return this */
        public Builder inBatchNegatives(boolean on) {
            this.inBatchNegatives = on;
            return this;
        }

        /** @param m finite margin, &gt;= 0 (relative: also &lt; 1) (default 0) @return this */
        public Builder margin(double m) {
            this.margin = m;
            return this;
        }

        /** @param type absolute or relative margin (default ABSOLUTE) @return this */
        public Builder marginType(MarginType type) {
            this.marginType = type;
            return this;
        }

        /**
         * @return the loss
         * @throws IllegalArgumentException naming the first invalid option
         */
        public GuidedMaskingLoss build() {
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a finite value > 0 (BGE uses 0.02), got "
                        + temperature);
            }
            if (marginType == null) {
                throw new IllegalArgumentException("marginType must not be null (ABSOLUTE or RELATIVE)");
            }
            if (!(margin >= 0) || !Double.isFinite(margin)) {
                throw new IllegalArgumentException("margin must be a finite value >= 0, got " + margin);
            }
            if (marginType == MarginType.RELATIVE && !(margin < 1)) {
                throw new IllegalArgumentException("margin must be < 1 with marginType RELATIVE (a fraction of the"
                        + " positive's guide score), got " + margin);
            }
            return new GuidedMaskingLoss(this);
        }
    }
}
