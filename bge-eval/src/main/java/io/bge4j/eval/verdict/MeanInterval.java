package io.bge4j.eval.verdict;

import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A metric's mean over the evaluated queries with a percentile bootstrap interval (queries resampled with
 * replacement; linear-interpolation quantiles), for reporting one model's score with its uncertainty.
 *
 * <p>Usage: {@code MeanInterval m = MeanInterval.of(result, Metric.NDCG_AT_10, 2000, 42, 0.95); System.out.println(m);}
 *
 * @param mean the mean
 * @param low lower end of the interval
 * @param high upper end
 * @param queries evaluated queries
 * @param confidence the interval's level
 */
public record MeanInterval(double mean, double low, double high, int queries, double confidence) {

    /**
     * @param r a result
     * @param metric one of its metrics
     * @param samples bootstrap resamples (at least 100)
     * @param seed the seed
     * @param confidence interval level in (0, 1)
     * @return the mean and its interval
     */
    public static MeanInterval of(EvaluationResult r, Metric metric, int samples, long seed, double confidence) {
        if (samples < 100 || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("samples must be >= 100 and confidence in (0, 1); got " + samples + ", "
                    + confidence);
        }
        double[] x = new double[r.perQuery().size()];
        int i = 0;
        for (Map<Metric, Double> q : r.perQuery().values()) {
            x[i++] = q.get(metric);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException(r.name() + " has no evaluated queries");
        }
        return of(x, samples, seed, confidence);
    }

    static MeanInterval of(double[] x, int samples, long seed, double confidence) {
        int n = x.length;
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] means = new double[samples];
        for (int s = 0; s < samples; s++) {
            double t = 0;
            for (int k = 0; k < n; k++) {
                t += x[rnd.nextInt(n)];
            }
            means[s] = t / n;
        }
        Arrays.sort(means);
        double a = (1 - confidence) / 2;
        return new MeanInterval(sum / n, quantile(means, a), quantile(means, 1 - a), n, confidence);
    }

    private static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", mean, low, high);
    }
}
