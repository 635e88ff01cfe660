package io.bge4j.train.loss;

import ai.djl.ndarray.NDArray;
import io.bge4j.core.nn.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A weighted sum of losses over the same input: {@code L = Σ_k w_k · L_k}. The contrastive and
 * distillation parts are the same weighted sums of the terms' parts (a part is absent when no term
 * has it; terms without it count as 0); the scores are those of the first term.
 *
 * <p>Usage: {@code WeightedSumLoss.builder().add(infoNce, 1.0).add(kd, 0.5).build()}
 */
public final class WeightedSumLoss implements EmbeddingLoss {

    private final List<EmbeddingLoss> terms;
    private final List<Double> weights;

    private WeightedSumLoss(List<EmbeddingLoss> terms, List<Double> weights) {
        this.terms = List.copyOf(terms);
        this.weights = List.copyOf(weights);
    }

    /** @return an empty builder (at least one term is required) */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public LossResult compute(LossInput in) {
        List<LossResult> parts = new ArrayList<>(terms.size());
        for (EmbeddingLoss t : terms) {
            parts.add(t.compute(in));
        }
        return combine(parts, weights);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("WeightedSum(");
        for (int i = 0; i < terms.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(weights.get(i)).append(" * ").append(terms.get(i).describe());
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean usesTeacherScores() {
        return terms.stream().anyMatch(EmbeddingLoss::usesTeacherScores);
    }

    /** Σ w_k · r_k for the loss and each part; the first result's scores. */
    static LossResult combine(List<LossResult> parts, List<Double> weights) {
        NDArray loss = null;
        NDArray con = null;
        NDArray kd = null;
        long masked = 0;
        for (int k = 0; k < parts.size(); k++) {
            LossResult r = parts.get(k);
            masked = Math.max(masked, r.maskedCandidates()); // parts see the same guide scores
            double w = weights.get(k);
            loss = add(loss, scaled(r.loss(), w));
            if (r.contrastive() != null) {
                con = add(con, scaled(r.contrastive(), w));
            }
            if (r.distillation() != null) {
                kd = add(kd, scaled(r.distillation(), w));
            }
        }
        return new LossResult(loss, con, kd, parts.get(0).scores(), masked);
    }

    private static NDArray scaled(NDArray x, double w) {
        return w == 1.0 ? x : x.mul(Scalars.of(x, w));
    }

    private static NDArray add(NDArray acc, NDArray x) {
        return acc == null ? x : acc.add(x);
    }

    /**
     * Collects the terms of a {@link WeightedSumLoss}; {@link #build()} validates them.
     *
     * <p>Usage: {@code WeightedSumLoss.builder().add(a, 1.0).add(b, 0.1).build()}
     */
    public static final class Builder {
        private final List<EmbeddingLoss> terms = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();

        private Builder() {}

        /** @param loss a term @param weight its weight (finite, &gt; 0) @return this */
        public Builder add(EmbeddingLoss loss, double weight) {
            terms.add(Objects.requireNonNull(loss, "loss"));
            weights.add(weight);
            return this;
        }

        /**
         * @return the loss (the builder may be reused)
         * @throws IllegalArgumentException naming the bad term
         */
        public WeightedSumLoss build() {
            if (terms.isEmpty()) {
                throw new IllegalArgumentException("terms: add at least one loss");
            }
            for (int i = 0; i < weights.size(); i++) {
                double w = weights.get(i);
                if (!(w > 0) || !Double.isFinite(w)) {
                    throw new IllegalArgumentException("weight of term " + i + " must be a finite value > 0, got " + w);
                }
            }
            return new WeightedSumLoss(terms, weights);
        }
    }
}
