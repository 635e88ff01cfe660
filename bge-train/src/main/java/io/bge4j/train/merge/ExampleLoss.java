package io.bge4j.train.merge;

import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.List;

/**
 * The contrastive (InfoNCE) loss of a model on a few examples, computed from its embeddings in plain
 * Java, independent of the trainer: the loss LM-Cocktail's {@code mix_models_with_data} uses to weight
 * models. Per batch of {@code B} examples, every query is scored against all {@code B·(1+n)} passages of
 * the batch (each example's first positive and its first {@code n} negatives) as
 * {@code cos(q, p) / τ}; the loss is the mean cross-entropy of the own positive; batches are averaged.
 *
 * <p>Usage: {@code double loss = ExampleLoss.infoNce(embedder, examples, 8, 7, 0.05);}
 */
public final class ExampleLoss {

    private ExampleLoss() {}

    /**
     * @param embedder the model to measure (queries get its instruction; not closed)
     * @param examples examples with at least one positive and at least {@code negatives} negatives each
     * @param batchSize examples per batch (the last batch may be smaller)
     * @param negatives negatives taken per example (the first ones)
     * @param temperature τ (LM-Cocktail uses 0.05)
     * @return the mean loss over batches
     * @throws IllegalArgumentException on empty input, bad sizes, or an example with too few negatives
     */
    public static double infoNce(Embedder embedder, List<TrainingExample> examples, int batchSize, int negatives,
            double temperature) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("at least one example is needed to compute a loss");
        }
        if (batchSize < 1 || negatives < 0 || !(temperature > 0)) {
            throw new IllegalArgumentException("batchSize must be >= 1, negatives >= 0 and temperature > 0; got "
                    + batchSize + ", " + negatives + ", " + temperature);
        }
        for (int i = 0; i < examples.size(); i++) {
            if (examples.get(i).negatives().size() < negatives) {
                throw new IllegalArgumentException("example " + (i + 1) + " ('" + examples.get(i).query() + "') has "
                        + examples.get(i).negatives().size() + " negatives, " + negatives + " are needed; mine"
                        + " negatives first or ask for fewer");
            }
        }
        int group = 1 + negatives;
        double total = 0;
        int batches = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<TrainingExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            List<String> queries = new ArrayList<>();
            List<String> passages = new ArrayList<>();
            for (TrainingExample e : batch) {
                queries.add(e.query());
                passages.add(e.positives().get(0));
                passages.addAll(e.negatives().subList(0, negatives));
            }
            float[][] q = embedder.encodeQueries(queries);
            float[][] p = embedder.encodeCorpus(passages);
            total += batchLoss(q, p, group, temperature);
            batches++;
        }
        return total / batches;
    }

    /**
     * @param q query vectors
     * @param p passage vectors, {@code group} per query, the positive first
     * @return mean over queries of {@code -log softmax(cos(q_i, ·)/τ)[i·group]}
     */
    static double batchLoss(float[][] q, float[][] p, int group, double temperature) {
        double sum = 0;
        for (int i = 0; i < q.length; i++) {
            double[] s = new double[p.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < p.length; j++) {
                s[j] = cosine(q[i], p[j]) / temperature;
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (double v : s) {
                z += Math.exp(v - max);
            }
            sum += max + Math.log(z) - s[i * group];
        }
        return sum / q.length;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
