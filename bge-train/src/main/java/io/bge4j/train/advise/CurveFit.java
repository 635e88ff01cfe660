package io.bge4j.train.advise;

import java.util.Objects;

/**
 * The trend of a learning curve: an ordinary least-squares line through (log2(fraction), gain), so
 * the slope is the gain per doubling of the training set and the intercept is the fitted gain at the
 * whole set (log2(1) = 0).
 *
 * <p>Two uncertainties are computed. {@code residualStdError} comes from the scatter of the points
 * around the line ({@code sqrt(SSR / (n − 2) / Sxx)}, NaN with fewer than three points).
 * {@code pointStdError} propagates each point's own uncertainty (half its 95 % interval / 1.96) through
 * the slope formula {@code Σ (xᵢ − x̄) yᵢ / Sxx}, treating the points as independent. The reported
 * interval is {@code slope ± 1.96 × max(residual, point)}: with three points the residual one alone
 * rests on one degree of freedom, and the points are nested subsets that share the base run, so
 * neither is exact; the larger one is the honest choice.
 *
 * <p>Usage: {@code CurveFit f = CurveFit.fit(new double[] {0.25, 0.5, 1}, gains, halfWidths);
 * if (f.ciLow() > 0) log.info("+{} per doubling", f.slopePerDoubling());}
 *
 * @param points how many points were fitted
 * @param slopePerDoubling change of the gain per doubling of the training set
 * @param interceptAtFull the fitted gain at the whole training set
 * @param residualStdError standard error of the slope from the residuals (NaN with fewer than 3 points)
 * @param pointStdError standard error of the slope from the points' own intervals (NaN when none were given)
 * @param ciLow lower end of the 95 % interval of the slope
 * @param ciHigh upper end of that interval
 */
public record CurveFit(int points, double slopePerDoubling, double interceptAtFull, double residualStdError,
        double pointStdError, double ciLow, double ciHigh) {

    static final double Z95 = 1.959963984540054;

    /** @return whether the interval of the slope lies above zero */
    public boolean rising() {
        return ciLow > 0;
    }

    /** @return whether the interval of the slope lies below zero */
    public boolean falling() {
        return ciHigh < 0;
    }

    /**
     * Fits the line.
     *
     * @param fractions fractions of the training set, in (0, 1], at least two distinct ones
     * @param gains the measured gain over the base at each fraction
     * @param halfWidths half the 95 % interval of each gain (null: no point uncertainty)
     * @return the fit
     * @throws IllegalArgumentException on mismatched lengths, a fraction outside (0, 1], fewer than two
     *     distinct fractions or a non-finite value
     */
    public static CurveFit fit(double[] fractions, double[] gains, double[] halfWidths) {
        Objects.requireNonNull(fractions, "fractions");
        Objects.requireNonNull(gains, "gains");
        int n = fractions.length;
        if (gains.length != n || (halfWidths != null && halfWidths.length != n)) {
            throw new IllegalArgumentException("fractions, gains and halfWidths need one value per point, got "
                    + n + ", " + gains.length + (halfWidths == null ? "" : ", " + halfWidths.length));
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(fractions[i] > 0 && fractions[i] <= 1) || !Double.isFinite(gains[i])) {
                throw new IllegalArgumentException("point " + i + " is not usable: fraction " + fractions[i]
                        + " (must be in (0, 1]), gain " + gains[i] + " (must be finite)");
            }
            x[i] = Math.log(fractions[i]) / Math.log(2);
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += gains[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (gains[i] - my);
        }
        if (n < 2 || sxx < 1e-18) {
            throw new IllegalArgumentException("a learning curve needs at least two different fractions, got "
                    + java.util.Arrays.toString(fractions));
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double residual = Double.NaN;
        if (n >= 3) {
            double ssr = 0;
            for (int i = 0; i < n; i++) {
                double r = gains[i] - (intercept + slope * x[i]);
                ssr += r * r;
            }
            residual = Math.sqrt(ssr / (n - 2) / sxx);
        }
        double point = Double.NaN;
        if (halfWidths != null) {
            double v = 0;
            for (int i = 0; i < n; i++) {
                double sigma = halfWidths[i] / Z95;
                double w = (x[i] - mx) / sxx;
                v += w * w * sigma * sigma;
            }
            point = Math.sqrt(v);
        }
        double se = Math.max(Double.isNaN(residual) ? 0 : residual, Double.isNaN(point) ? 0 : point);
        return new CurveFit(n, slope, intercept, residual, point, slope - Z95 * se, slope + Z95 * se);
    }
}
