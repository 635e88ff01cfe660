package io.bge4j.train.advise;

import java.util.List;
import java.util.Objects;

/**
 * Whether a run's training loss stopped falling, read from its step losses.
 *
 * <p>The losses are smoothed with a trailing mean over {@code window = max(2, steps / 5)} steps
 * ({@code L(s)} = mean of the losses of steps {@code s − window + 1 … s}, defined from step
 * {@code window} on). The total drop is {@code L(window) − min L}. The loss plateaued at the first
 * step {@code s} from which the smoothed loss never falls by more than {@code tolerance} × the total drop
 * again ({@code L(s) − min over t ≥ s of L(t) ≤ tolerance × drop}), provided at least one more window
 * of steps follows it; when that step is within the last window, the loss was still falling at the
 * end. Fewer than 6 steps are {@link Status#TOO_FEW_STEPS}.
 *
 * <p>Usage: {@code LossTrend t = LossTrend.of(result.steps().stream().map(StepRecord::loss).toList());}
 *
 * @param status what the losses say
 * @param steps how many step losses were read
 * @param window the smoothing window, in steps
 * @param firstSmoothed the smoothed loss over the first window
 * @param lastSmoothed the smoothed loss over the last window
 * @param plateauStep the 1-based step where the plateau starts (0 unless {@link Status#PLATEAUED})
 */
public record LossTrend(Status status, int steps, int window, double firstSmoothed, double lastSmoothed,
        int plateauStep) {

    /** The share of the total drop a plateau may still fall by. */
    public static final double TOLERANCE = 0.10;

    /**
     * What a run's losses say.
     *
     * <p>Usage: {@code if (t.status() == LossTrend.Status.PLATEAUED) ...}
     */
    public enum Status {
        /** Fewer than 6 steps: too few to tell a trend from noise. */
        TOO_FEW_STEPS,
        /** The smoothed loss did not fall from the first window to its minimum. */
        NOT_FALLING,
        /** The smoothed loss stopped falling before the last window. */
        PLATEAUED,
        /** The smoothed loss was still falling in the last window. */
        STILL_FALLING
    }

    /** Checks the status. */
    public LossTrend {
        Objects.requireNonNull(status, "status");
    }

    /**
     * @param losses the step losses in step order (step 1 first)
     * @return the trend
     * @throws IllegalArgumentException when a loss is not finite
     */
    public static LossTrend of(List<Double> losses) {
        Objects.requireNonNull(losses, "losses");
        int n = losses.size();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(losses.get(i))) {
                throw new IllegalArgumentException("loss of step " + (i + 1) + " is " + losses.get(i)
                        + "; a run with a non-finite loss has no trend to read");
            }
        }
        int w = Math.max(2, n / 5);
        if (n < 6) {
            double first = n == 0 ? Double.NaN : mean(losses, 0, Math.min(w, n));
            double last = n == 0 ? Double.NaN : mean(losses, Math.max(0, n - w), n);
            return new LossTrend(Status.TOO_FEW_STEPS, n, w, first, last, 0);
        }
        // smoothed[s - 1] is L(s) for s = w .. n; entries before w are unused
        double[] smoothed = new double[n];
        for (int s = w; s <= n; s++) {
            smoothed[s - 1] = mean(losses, s - w, s);
        }
        double[] minFrom = new double[n + 1];
        minFrom[n] = Double.POSITIVE_INFINITY;
        for (int s = n; s >= w; s--) {
            minFrom[s - 1] = Math.min(smoothed[s - 1], minFrom[s]);
        }
        double first = smoothed[w - 1];
        double last = smoothed[n - 1];
        double drop = first - minFrom[w - 1];
        if (drop <= 0) {
            return new LossTrend(Status.NOT_FALLING, n, w, first, last, 0);
        }
        int plateau = n;
        for (int s = w; s <= n; s++) {
            if (smoothed[s - 1] - minFrom[s - 1] <= TOLERANCE * drop) {
                plateau = s;
                break;
            }
        }
        if (plateau <= n - w) {
            return new LossTrend(Status.PLATEAUED, n, w, first, last, plateau);
        }
        return new LossTrend(Status.STILL_FALLING, n, w, first, last, 0);
    }

    private static double mean(List<Double> v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v.get(i);
        }
        return s / (to - from);
    }
}
