package io.bge4j.train.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The learning-curve fit and the loss-plateau rule against values computed by hand. */
class AdvisorCurveMathTest {

    private static final double[] F = {0.25, 0.5, 1.0}; // log2: -2, -1, 0

    @Test
    void collinearPointsGiveTheirSlopePerDoublingAndNoResidual() {
        CurveFit f = CurveFit.fit(F, new double[] {0.01, 0.02, 0.03}, null);
        assertEquals(3, f.points());
        assertEquals(0.01, f.slopePerDoubling(), 1e-12);
        assertEquals(0.03, f.interceptAtFull(), 1e-12);
        assertEquals(0.0, f.residualStdError(), 1e-12);
        assertTrue(Double.isNaN(f.pointStdError()));
        assertEquals(0.01, f.ciLow(), 1e-12);
        assertTrue(f.rising());
    }

    @Test
    void scatteredPointsGetTheResidualStandardError() {
        // x̄ = -1, Sxx = 2, Sxy = (-1)(-0.01) + 0 + (1)(0) = 0.01 -> slope 0.005, intercept 0.02 + 0.005 = 0.025;
        // residuals -0.005, +0.01, -0.005 -> SSR 1.5e-4, s² = 1.5e-4 / 1, SE = sqrt(1.5e-4 / 2) = 0.0086603
        CurveFit f = CurveFit.fit(F, new double[] {0.01, 0.03, 0.02}, null);
        assertEquals(0.005, f.slopePerDoubling(), 1e-12);
        assertEquals(0.025, f.interceptAtFull(), 1e-12);
        assertEquals(Math.sqrt(7.5e-5), f.residualStdError(), 1e-12);
        assertEquals(0.005 - 1.959963984540054 * Math.sqrt(7.5e-5), f.ciLow(), 1e-12);
        assertEquals(0.005 + 1.959963984540054 * Math.sqrt(7.5e-5), f.ciHigh(), 1e-12);
        assertFalse(f.rising());
        assertFalse(f.falling());
    }

    @Test
    void thePointsOwnIntervalsWidenTheSlopeIntervalWhenLarger() {
        // σ = 0.01 per point; weights (x - x̄)/Sxx = -1/2, 0, 1/2 -> var = 2 × 0.25 × 1e-4, SE = 0.0070711
        double h = 0.01 * 1.959963984540054;
        CurveFit f = CurveFit.fit(F, new double[] {0.01, 0.02, 0.03}, new double[] {h, h, h});
        assertEquals(Math.sqrt(0.5e-4), f.pointStdError(), 1e-12);
        assertEquals(0.01 - 1.959963984540054 * Math.sqrt(0.5e-4), f.ciLow(), 1e-12);
        assertFalse(f.rising(), "+0.01 per doubling with these points' intervals is not distinguishable from 0");
    }

    @Test
    void twoPointsHaveASlopeButNoResidualError() {
        CurveFit f = CurveFit.fit(new double[] {0.5, 1.0}, new double[] {0.04, 0.03}, new double[] {0.001, 0.001});
        assertEquals(-0.01, f.slopePerDoubling(), 1e-12);
        assertTrue(Double.isNaN(f.residualStdError()));
        // weights ±1, σ = 0.001/1.96 -> SE = sqrt(2) × 0.001/1.96; interval = slope ± sqrt(2) × 0.001
        assertEquals(-0.01 + Math.sqrt(2) * 0.001, f.ciHigh(), 1e-12);
        assertTrue(f.falling());
    }

    @Test
    void unusablePointsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CurveFit.fit(new double[] {1.0},
                new double[] {0.1}, null)).getMessage().contains("at least two different fractions"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CurveFit.fit(new double[] {0.0, 1.0},
                new double[] {0.1, 0.2}, null)).getMessage().contains("must be in (0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CurveFit.fit(F,
                new double[] {0.1, 0.2}, null)).getMessage().contains("one value per point"));
    }

    @Test
    void aLossThatStopsFallingPlateausWhereTheSmoothedLossReachesItsFloor() {
        // window 2: L(2)=3.5, L(3)=2.5, L(4)=1.5, L(5..10)=1; drop 2.5, tolerance 0.25 -> first s with L(s)-1 <= 0.25 is 5
        LossTrend t = LossTrend.of(List.of(4.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        assertEquals(LossTrend.Status.PLATEAUED, t.status());
        assertEquals(5, t.plateauStep());
        assertEquals(2, t.window());
        assertEquals(3.5, t.firstSmoothed(), 1e-12);
        assertEquals(1.0, t.lastSmoothed(), 1e-12);
    }

    @Test
    void noiseAroundAFloorIsStillAPlateau() {
        // window 4: L(4)=2, L(5)=1.7625, L(6)=1.5, L(7)=1.2625, L(8..20)=1 -> plateau at 8
        List<Double> l = new java.util.ArrayList<>(List.of(2.0, 2.0, 2.0, 2.0));
        for (int i = 0; i < 16; i++) {
            l.add(i % 2 == 0 ? 1.05 : 0.95);
        }
        LossTrend t = LossTrend.of(l);
        assertEquals(4, t.window());
        assertEquals(LossTrend.Status.PLATEAUED, t.status());
        assertEquals(8, t.plateauStep());
    }

    @Test
    void aSteadilyFallingLossIsStillFalling() {
        // 10, 9, ..., 1: the smoothed loss only reaches its floor in the last window
        List<Double> l = new java.util.ArrayList<>();
        for (int i = 10; i >= 1; i--) {
            l.add((double) i);
        }
        LossTrend t = LossTrend.of(l);
        assertEquals(LossTrend.Status.STILL_FALLING, t.status());
        assertEquals(0, t.plateauStep());
        assertEquals(9.5, t.firstSmoothed(), 1e-12);
        assertEquals(1.5, t.lastSmoothed(), 1e-12);
    }

    @Test
    void aFlatOrRisingLossIsNotFallingAndFewStepsAreTooFew() {
        assertEquals(LossTrend.Status.NOT_FALLING, LossTrend.of(List.of(1.0, 1.0, 1.1, 1.2, 1.3, 1.4)).status());
        assertEquals(LossTrend.Status.TOO_FEW_STEPS, LossTrend.of(List.of(3.0, 2.0, 1.0, 1.0, 1.0)).status());
        assertEquals(LossTrend.Status.TOO_FEW_STEPS, LossTrend.of(List.of()).status());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossTrend.of(List.of(1.0, Double.NaN)))
                .getMessage().contains("step 2"));
    }
}
