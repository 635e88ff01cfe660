package io.bge4j.train.merge;

import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Merge weights chosen from a few examples of the target task, as LM-Cocktail's
 * {@code mix_models_with_data}: each model's {@link ExampleLoss#infoNce InfoNCE loss} on the examples,
 * then {@code w = softmax(−loss / T)} (LM-Cocktail's default {@code T = 5}). Lower loss, larger weight;
 * a smaller {@code T} concentrates the weight on the best model.
 *
 * <p>Usage:
 * <pre>{@code
 * MergeWeights w = MergeWeights.fromExamples(List.of(baseEmb, tunedEmb), fewExamples, 5.0);
 * ModelMerger.builder().add("bge-small-en-v1.5", w.weights().get(0)).add("runs/demo/model", w.weights().get(1))
 *         .weightsFrom(w.description()).build().mergeTo(out);
 * }</pre>
 *
 * @param losses each model's loss on the examples
 * @param weights the softmax weights, summing to 1
 * @param temperature T
 * @param examples how many examples were used
 */
public record MergeWeights(List<Double> losses, List<Double> weights, double temperature, int examples) {

    /** LM-Cocktail's default softmax temperature. */
    public static final double DEFAULT_TEMPERATURE = 5.0;
    /** LM-Cocktail's score temperature for the embedder loss. */
    public static final double LOSS_TEMPERATURE = 0.05;

    /** Copies the lists. */
    public MergeWeights {
        losses = List.copyOf(losses);
        weights = List.copyOf(weights);
    }

    /**
     * @param losses one loss per model
     * @param temperature T &gt; 0
     * @return {@code softmax(−loss / T)}, computed stably (the smallest loss shifted to 0)
     */
    public static double[] softmaxOfNegative(double[] losses, double temperature) {
        if (!(temperature > 0) || losses.length == 0) {
            throw new IllegalArgumentException("need at least one loss and a temperature > 0, got " + losses.length
                    + " losses and T=" + temperature);
        }
        double min = Double.POSITIVE_INFINITY;
        for (double l : losses) {
            if (!Double.isFinite(l)) {
                throw new IllegalArgumentException("losses must be finite, got " + l);
            }
            min = Math.min(min, l);
        }
        double[] w = new double[losses.length];
        double z = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(-(losses[i] - min) / temperature);
            z += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= z;
        }
        return w;
    }

    /**
     * Measures each model on the examples (batches of 8, up to 7 negatives each as far as every example has
     * them, score temperature 0.05) and turns the losses into weights.
     *
     * @param embedders one per model, in merge order (not closed)
     * @param examples a few labelled examples of the target task (with mined negatives, ideally)
     * @param temperature T of the softmax
     * @return the losses and weights
     */
    public static MergeWeights fromExamples(List<? extends Embedder> embedders, List<TrainingExample> examples,
            double temperature) {
        int negatives = 7;
        for (TrainingExample e : examples) {
            negatives = Math.min(negatives, e.negatives().size());
        }
        return fromExamples(embedders, examples, temperature, 8, negatives);
    }

    /**
     * @param embedders one per model, in merge order (not closed)
     * @param examples labelled examples
     * @param temperature T of the softmax
     * @param batchSize examples per loss batch
     * @param negatives negatives per example
     * @return the losses and weights
     */
    public static MergeWeights fromExamples(List<? extends Embedder> embedders, List<TrainingExample> examples,
            double temperature, int batchSize, int negatives) {
        if (embedders.size() < 2) {
            throw new IllegalArgumentException("weights for a merge need at least two models, got " + embedders.size());
        }
        double[] losses = new double[embedders.size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = ExampleLoss.infoNce(embedders.get(i), examples, batchSize, negatives, LOSS_TEMPERATURE);
        }
        double[] w = softmaxOfNegative(losses, temperature);
        List<Double> lw = new ArrayList<>();
        List<Double> ll = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            lw.add(w[i]);
            ll.add(losses[i]);
        }
        return new MergeWeights(ll, lw, temperature, examples.size());
    }

    /** @return a one-line description for the model card */
    public String description() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "softmax(-loss/T), T=%s, InfoNCE loss (tau=%s) on %d examples; losses", temperature, LOSS_TEMPERATURE,
                examples));
        for (double l : losses) {
            sb.append(String.format(Locale.ROOT, " %.4f", l));
        }
        return sb.toString();
    }
}
