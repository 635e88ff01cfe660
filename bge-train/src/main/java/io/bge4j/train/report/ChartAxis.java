package io.bge4j.train.report;

import java.util.Locale;

/**
 * The axis maths of {@link LineChart}: "nice" tick positions, their labels, and the linear map from data to
 * pixels.
 */
final class ChartAxis {

    private ChartAxis() {}

    /** Linear map from data to pixels. */
    record Scale(double d0, double d1, double p0, double p1) {
        double map(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }

    /**
     * Ticks at 1, 2 or 5 times a power of ten that cover [lo, hi] with about {@code target} intervals
     * (Heckbert's "nice numbers").
     */
    static double[] niceTicks(double lo, double hi, int target) {
        double range = nice(hi - lo, false);
        double step = nice(range / Math.max(1, target - 1), true);
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = clean(start + i * step, step);
        }
        return out;
    }

    private static double nice(double x, boolean round) {
        double exp = Math.floor(Math.log10(x));
        double f = x / Math.pow(10, exp);
        double nf;
        if (round) {
            nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        } else {
            nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        }
        return nf * Math.pow(10, exp);
    }

    private static double clean(double v, double step) {
        double digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
        double p = Math.pow(10, digits);
        return Math.round(v * p) / p;
    }

    /** Tick label with as many decimals as the tick spacing needs; scientific for very small or large steps. */
    static String tick(double v, double[] ticks) {
        double step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(v);
        if (step == 0) {
            return LineChart.fixed(v);
        }
        if (step < 1e-3 || Math.abs(v) >= 1e6) {
            return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
