package io.bge4j.data;

import java.util.Arrays;

/**
 * Summary of a list of lengths (in tokens): nearest-rank percentiles, mean and extremes. All zero
 * for an empty list.
 *
 * <p>Usage: {@code if (stats.passageTokens().p95() > 512) log.warn("passages will be truncated");}
 *
 * @param count how many lengths
 * @param min smallest
 * @param p50 median (nearest rank)
 * @param p90 90th percentile
 * @param p95 95th percentile
 * @param p99 99th percentile
 * @param max largest
 * @param mean arithmetic mean
 */
public record LengthDistribution(int count, int min, int p50, int p90, int p95, int p99, int max, double mean) {

    /**
     * @param lengths the lengths (not modified)
     * @return their distribution
     */
    public static LengthDistribution of(int[] lengths) {
        if (lengths.length == 0) {
            return new LengthDistribution(0, 0, 0, 0, 0, 0, 0, 0.0);
        }
        int[] s = lengths.clone();
        Arrays.sort(s);
        long sum = 0;
        for (int v : s) {
            sum += v;
        }
        return new LengthDistribution(s.length, s[0], percentile(s, 50), percentile(s, 90), percentile(s, 95),
                percentile(s, 99), s[s.length - 1], (double) sum / s.length);
    }

    /**
     * Nearest-rank percentile: the smallest value with at least {@code p}% of the values at or below it.
     *
     * @param sorted ascending values, non-empty
     * @param p percentile in (0, 100]
     * @return the value
     */
    static int percentile(int[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
