package io.bge4j.train.plan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The estimated peak memory of one training step, term by term, in bytes.
 *
 * <p>Usage: {@code MemoryEstimate e = planner.estimate(shape); e.total(); e.describe()}
 *
 * @param runtime the process before the model's tensors (JVM, libtorch, tokenizer), measured
 * @param weights the model's parameters
 * @param gradients one gradient per parameter, kept across the micro-batches of a step
 * @param optimizerMoments AdamW's first and second moments (fp32, two per parameter)
 * @param activations what autograd keeps for the largest set of texts encoded with a graph at once (the whole
 *     micro-batch for the plain step, one chunk for GradCache), scaled by the calibration
 * @param embeddings step-level vectors: query and passage embeddings and their gradients (GradCache keeps the
 *     whole batch's), plus the cross-batch memory bank
 * @param loss the score matrix of the contrastive loss and its softmax and gradient
 */
public record MemoryEstimate(long runtime, long weights, long gradients, long optimizerMoments, long activations,
        long embeddings, long loss) {

    /** @return the sum of every term: the predicted resident peak of the step */
    public long total() {
        return runtime + weights + gradients + optimizerMoments + activations + embeddings + loss;
    }

    /** @return the terms that do not depend on the batch: runtime, weights, gradients, moments */
    public long fixed() {
        return runtime + weights + gradients + optimizerMoments;
    }

    /** @return the terms by name, in bytes, for provenance and the metrics log */
    public Map<String, Long> terms() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("runtime", runtime);
        m.put("weights", weights);
        m.put("gradients", gradients);
        m.put("optimizer_moments", optimizerMoments);
        m.put("activations", activations);
        m.put("embeddings", embeddings);
        m.put("loss", loss);
        m.put("total", total());
        return m;
    }

    /** @return e.g. {@code 2.31 GiB (runtime 0.44 + weights 0.12 + ... )} */
    public String describe() {
        StringBuilder sb = new StringBuilder(gib(total())).append(" GiB (");
        boolean first = true;
        for (Map.Entry<String, Long> e : terms().entrySet()) {
            if (e.getKey().equals("total")) {
                continue;
            }
            sb.append(first ? "" : " + ").append(e.getKey().replace('_', ' ')).append(' ').append(gib(e.getValue()));
            first = false;
        }
        return sb.append(')').toString();
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / (double) (1L << 30));
    }
}
