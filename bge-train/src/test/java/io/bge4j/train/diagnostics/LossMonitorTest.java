package io.bge4j.train.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.train.diagnostics.Diagnostic.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossMonitorTest {

    /** Feeds losses at steps 0, 1, 2, ... and collects every diagnostic. */
    private static List<Diagnostic> run(LossMonitor monitor, double... losses) {
        List<Diagnostic> all = new ArrayList<>();
        for (int step = 0; step < losses.length; step++) {
            all.addAll(monitor.observe(step, losses[step]));
        }
        return all;
    }

    @Test
    void nanAndInfinityAreErrorsAtTheirStep() {
        List<Diagnostic> found = run(LossMonitor.builder().build(), 2.0, 1.9, Double.NaN, 1.8, Double.POSITIVE_INFINITY);
        assertEquals(2, found.size());
        assertEquals(Kind.NON_FINITE_LOSS, found.get(0).kind());
        assertEquals(2, found.get(0).step());
        assertEquals(Diagnostic.Severity.ERROR, found.get(0).severity());
        assertTrue(found.get(0).message().contains("NaN"), found.get(0).message());
        assertTrue(found.get(0).suggestion().contains("learning rate"));
        assertEquals(4, found.get(1).step());
        assertTrue(found.get(1).message().contains("Infinity"));
    }

    @Test
    void lossNearZeroForAWindowIsReportedOncePerEpisode() {
        LossMonitor monitor = LossMonitor.builder().nearZero(1e-3, 5).plateau(1000, 0.01).build();
        double[] losses = {0.5, 1e-4, 1e-4, 1e-4, 1e-4, 5e-4, 1e-4, 1e-4, // near zero from step 1, 5th at step 5
            0.2, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5}; // leaves the band at step 8, back for 5 steps by step 13
        List<Diagnostic> found = run(monitor, losses);
        assertEquals(2, found.size(), found.toString());
        assertEquals(Kind.LOSS_NEAR_ZERO, found.get(0).kind());
        assertEquals(5, found.get(0).step());
        assertEquals(Diagnostic.Severity.WARNING, found.get(0).severity());
        assertTrue(found.get(0).suggestion().contains("hard negatives"));
        assertEquals(13, found.get(1).step());
    }

    @Test
    void aSteadilyFallingLossIsNoPlateau() {
        double[] losses = new double[200];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = 2.0 * Math.pow(0.99, i) + (i % 2 == 0 ? 0.01 : -0.01); // ~9.6 % better per 10 steps
        }
        assertEquals(List.of(), run(LossMonitor.builder().plateau(10, 0.01).build(), losses));
    }

    @Test
    void aFlatLossIsAPlateauReportedOncePerWindow() {
        double[] losses = new double[60];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = i % 2 == 0 ? 1.0 : 1.02; // window means equal: 0 % improvement
        }
        List<Diagnostic> found = run(LossMonitor.builder().plateau(10, 0.01).build(), losses);
        // first comparison possible after 2 windows (step 19), then one window after each report
        assertEquals(List.of(19L, 29L, 39L, 49L, 59L), found.stream().map(Diagnostic::step).toList());
        assertTrue(found.stream().allMatch(d -> d.kind() == Kind.PLATEAU));
        assertTrue(found.get(0).message().contains("0.00 %"), found.get(0).message());
        assertTrue(found.get(0).suggestion().contains("batch"));
    }

    @Test
    void aLossThatFlattensIsCaughtWithinAWindow() {
        double[] losses = new double[60];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = i < 30 ? 3.0 - 0.05 * i : 1.5; // falls until step 29, then flat
        }
        List<Diagnostic> found = run(LossMonitor.builder().plateau(10, 0.01).build(), losses);
        // windows [30..39] and [40..49] are both flat: at step 49 the improvement is 0;
        // at step 39 the previous window [20..29] had mean 1.725, so 13 % better — no report
        assertEquals(Kind.PLATEAU, found.get(0).kind());
        assertTrue(found.get(0).step() > 39 && found.get(0).step() <= 49, found.toString());
    }

    @Test
    void aLossSittingAtZeroIsNotAlsoAPlateau() {
        double[] losses = new double[100];
        java.util.Arrays.fill(losses, 1e-5);
        List<Diagnostic> found = run(LossMonitor.builder().nearZero(1e-3, 5).plateau(10, 0.01).build(), losses);
        assertEquals(1, found.size(), found.toString());
        assertEquals(Kind.LOSS_NEAR_ZERO, found.get(0).kind());
    }

    @Test
    void nonFiniteLossesStayOutOfTheWindows() {
        LossMonitor monitor = LossMonitor.builder().plateau(3, 0.01).build();
        // finite losses fall 10 % per window; the NaNs between them must not break the comparison
        List<Diagnostic> found = run(monitor, 1.0, Double.NaN, 1.0, 1.0, 0.9, Double.NaN, 0.9, 0.9);
        assertEquals(2, found.size());
        assertTrue(found.stream().allMatch(d -> d.kind() == Kind.NON_FINITE_LOSS));
    }

    @Test
    void builderNamesTheBadOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossMonitor.builder().nearZero(0, 5).build())
                .getMessage().contains("nearZeroThreshold"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossMonitor.builder().nearZero(1e-3, 0).build())
                .getMessage().contains("nearZeroWindow"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossMonitor.builder().plateauWindow(0).build())
                .getMessage().contains("plateauWindow"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossMonitor.builder().plateau(5, -1).build())
                .getMessage().contains("minRelativeImprovement"));
        assertThrows(NullPointerException.class, () -> new Diagnostic(null, 1, "m", "s"));
    }
}
