package io.bge4j.train.loss;

import io.bge4j.core.nn.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Contrastive InfoNCE loss over query/passage embeddings with group negatives, optional in-batch
 * negatives, optional extra negatives (cross-batch memory) and optional knowledge distillation.
 *
 * <p>Scores are {@code S = Q·Pᵀ / τ}. With in-batch negatives every query is scored against all B·G
 * passages of the batch and its target is column {@code i·G}; without, each query is scored only
 * against its own G passages and its target is column 0. Extra negatives add M columns
 * {@code Q·Eᵀ / τ} (their gradient is not taken); a mask removes single entries from single rows.
 * The contrastive part is the mean over queries of {@code −log_softmax(S_i)[target_i]}.
 *
 * <p>When the input carries teacher scores, the {@link DistillationType} decides how they are used;
 * teacher scores are divided by the teacher temperature (default 1, i.e. as FlagEmbedding, which has
 * none) before their softmax. In group-only mode {@link DistillationType#M3_KD_LOSS} targets the
 * k-th column of the query's own group (FlagEmbedding indexes such rows as if in-batch).
 *
 * <p>Every array the loss creates is owned by the manager of the queries; give it inputs that live in
 * a per-step manager and close that manager after the optimizer step.
 *
 * <p>Usage:
 * <pre>{@code
 * InfoNceLoss loss = InfoNceLoss.builder().temperature(0.02).inBatchNegatives(true).build();
 * try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *     LossResult r = loss.compute(LossInput.of(q, p, 8));
 *     gc.backward(r.loss());
 * }
 * }</pre>
 */
public final class InfoNceLoss implements EmbeddingLoss {

    private final double temperature;
    private final boolean inBatchNegatives;
    private final DistillationType distillation;
    private final double teacherTemperature;

    private InfoNceLoss(Builder b) {
        this.temperature = b.temperature;
        this.inBatchNegatives = b.inBatchNegatives;
        this.distillation = b.distillation;
        this.teacherTemperature = b.teacherTemperature;
    }

    /** @return a builder with τ = 0.02, in-batch negatives on, KL_DIV distillation, teacher τ = 1 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return τ, the divisor of the dot products */
    public double temperature() {
        return temperature;
    }

    /** @return whether the other queries' passages count as negatives */
    public boolean inBatchNegatives() {
        return inBatchNegatives;
    }

    /** @return how teacher scores are used when present */
    public DistillationType distillation() {
        return distillation;
    }

    /** @return the divisor of the teacher scores before their softmax */
    public double teacherTemperature() {
        return teacherTemperature;
    }

    @Override
    public String describe() {
        return "InfoNCE(temperature=" + temperature + ", inBatchNegatives=" + inBatchNegatives + ", distillation="
                + distillation + ", teacherTemperature=" + teacherTemperature + ")";
    }

    @Override
    public boolean usesTeacherScores() {
        return true;
    }

    /**
     * Computes the loss; call it inside a gradient collector to back-propagate.
     *
     * @param in embeddings, group size and optional teacher scores / extra negatives
     * @return the scalar loss, its parts and the logits
     * @throws IllegalArgumentException if the embeddings are neither float32 nor float64
     */
    @Override
    public LossResult compute(LossInput in) {
        Logits.Batch scored = Logits.of(in, temperature, inBatchNegatives);
        NDArray q = in.queries();
        DataType dt = q.getDataType();
        NDManager mgr = q.getManager();
        int b = in.batchSize();
        int g = in.groupSize();
        NDArray batchScores = scored.scores();
        long[] groupStart = scored.groupStart();

        NDArray logits = batchScores;
        if (in.extraNegatives() != null) {
            NDArray extraT = Logits.own(Logits.own(in.extraNegatives().stopGradient(), mgr).transpose(), mgr); // d × M
            NDArray extraScores = q.matMul(extraT).div(Scalars.of(q, temperature)); // B × M
            boolean[][] mask = in.extraNegativeMask();
            if (mask != null && anyTrue(mask)) {
                int m = mask[0].length;
                double[] add = new double[b * m];
                double low = Logits.lowest(dt);
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < m; j++) {
                        add[i * m + j] = mask[i][j] ? low : 0.0;
                    }
                }
                extraScores = extraScores.add(Logits.constant(mgr, add, new Shape(b, m), dt));
            }
            logits = batchScores.concat(extraScores, 1);
        }
        long columns = logits.getShape().get(1);

        double[][] teacher = in.teacherScores();
        if (teacher == null) {
            NDArray ce = crossEntropy(logits, groupStart, 0, mgr).mean();
            return new LossResult(ce, ce, null, logits);
        }
        double[][] targets = teacherDistribution(teacher);

        if (distillation == DistillationType.KL_DIV) {
            NDArray ce = crossEntropy(logits, groupStart, 0, mgr).mean();
            NDArray groupScores = batchScores;
            if (inBatchNegatives) {
                long[] idx = new long[b * g];
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < g; j++) {
                        idx[i * g + j] = groupStart[i] + j;
                    }
                }
                groupScores = batchScores.gather(mgr.create(idx, new Shape(b, g)), 1); // B × G
            }
            NDArray t = Logits.constant(mgr, flatten(targets), new Shape(b, g), dt);
            NDArray kd = groupScores.logSoftmax(1).mul(t).sum(new int[] {1}).mean().neg();
            return new LossResult(ce.add(kd), ce, kd, logits);
        }

        // M3_KD_LOSS: position k's cross-entropy, with the group's earlier positions 0..k-1 masked out.
        NDArray total = null;
        double low = Logits.lowest(dt);
        for (int k = 0; k < g; k++) {
            NDArray scoresK = logits;
            if (k > 0) {
                double[] add = new double[Math.toIntExact(b * columns)];
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < k; j++) {
                        add[Math.toIntExact(i * columns + groupStart[i] + j)] = low;
                    }
                }
                scoresK = logits.add(Logits.constant(mgr, add, new Shape(b, columns), dt));
            }
            double[] weights = new double[b];
            for (int i = 0; i < b; i++) {
                weights[i] = targets[i][k];
            }
            NDArray term = crossEntropy(scoresK, groupStart, k, mgr)
                    .mul(Logits.constant(mgr, weights, new Shape(b), dt))
                    .mean();
            total = total == null ? term : total.add(term);
        }
        return new LossResult(total, null, total, logits);
    }

    /** Per-query −log_softmax(scores)[groupStart_i + offset], shape (B). */
    private static NDArray crossEntropy(NDArray scores, long[] groupStart, int offset, NDManager mgr) {
        int b = groupStart.length;
        long[] target = new long[b];
        for (int i = 0; i < b; i++) {
            target[i] = groupStart[i] + offset;
        }
        NDArray index = mgr.create(target, new Shape(b, 1));
        return scores.logSoftmax(1).gather(index, 1).reshape(b).neg();
    }

    private double[][] teacherDistribution(double[][] teacher) {
        double[][] out = new double[teacher.length][];
        for (int i = 0; i < teacher.length; i++) {
            double[] row = teacher[i];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : row) {
                max = Math.max(max, v / teacherTemperature);
            }
            double sum = 0;
            double[] p = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                p[j] = Math.exp(row[j] / teacherTemperature - max);
                sum += p[j];
            }
            for (int j = 0; j < row.length; j++) {
                p[j] /= sum;
            }
            out[i] = p;
        }
        return out;
    }

    private static double[] flatten(double[][] rows) {
        int n = 0;
        for (double[] r : rows) {
            n += r.length;
        }
        double[] out = new double[n];
        int k = 0;
        for (double[] r : rows) {
            System.arraycopy(r, 0, out, k, r.length);
            k += r.length;
        }
        return out;
    }

    private static boolean anyTrue(boolean[][] mask) {
        for (boolean[] row : mask) {
            for (boolean v : row) {
                if (v) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Builder for {@link InfoNceLoss}; {@link #build()} validates every option.
     *
     * <p>Usage: {@code InfoNceLoss.builder().temperature(0.05).inBatchNegatives(false).build()}
     */
    public static final class Builder {
        private double temperature = 0.02;
        private boolean inBatchNegatives = true;
        private DistillationType distillation = DistillationType.KL_DIV;
        private double teacherTemperature = 1.0;

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

        /** @param type how teacher scores are used when a batch has them (default KL_DIV) @return this */
        public Builder distillation(DistillationType type) {
            this.distillation = type;
            return this;
        }

        /** @param tau divisor of teacher scores before their softmax, &gt; 0 (default 1) @return this */
        public Builder teacherTemperature(double tau) {
            this.teacherTemperature = tau;
            return this;
        }

        /**
         * @return the loss
         * @throws IllegalArgumentException naming the first invalid option
         */
        public InfoNceLoss build() {
            if (!(temperature > 0) || !Double.isFinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a finite value > 0 (BGE uses 0.02), got "
                        + temperature);
            }
            if (distillation == null) {
                throw new IllegalArgumentException("distillation must not be null (KL_DIV or M3_KD_LOSS)");
            }
            if (!(teacherTemperature > 0) || !Double.isFinite(teacherTemperature)) {
                throw new IllegalArgumentException("teacherTemperature must be a finite value > 0 (1 = raw teacher"
                        + " scores), got " + teacherTemperature);
            }
            return new InfoNceLoss(this);
        }
    }
}
