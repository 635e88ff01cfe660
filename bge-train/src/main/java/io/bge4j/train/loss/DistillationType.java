package io.bge4j.train.loss;

/**
 * How {@link InfoNceLoss} learns from teacher scores when a batch carries them. Both follow the two
 * {@code kd_loss_type} choices of FlagEmbedding's embedder fine-tuning.
 *
 * <p>Usage: {@code InfoNceLoss.builder().distillation(DistillationType.M3_KD_LOSS).build()}
 */
public enum DistillationType {

    /**
     * Soft cross-entropy between the teacher distribution over each query's own group
     * ({@code softmax(teacher / teacherTemperature)}) and the student's log-softmax over the same G
     * group scores, averaged over queries, <em>added</em> to the ordinary InfoNCE term:
     * {@code loss = InfoNCE − (1/B) Σ_i Σ_j t_ij · log_softmax(s_i,group)_j}.
     */
    KL_DIV,

    /**
     * The BGE-M3 distillation: for each group position k = 0..G−1, a cross-entropy whose target is the
     * query's k-th group passage and whose denominator excludes the query's group passages 0..k−1
     * (all other columns, in-batch and extra negatives included, stay), weighted by the teacher
     * probability of that passage and averaged over queries:
     * {@code loss = Σ_k (1/B) Σ_i t_ik · CE_k(i)}. It replaces InfoNCE (its k = 0 term is the
     * teacher-weighted InfoNCE), so nothing is added on top.
     */
    M3_KD_LOSS
}
