package io.bge4j.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.train.loss.GuidedMaskingLoss.MarginType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed values on the batch of {@link InfoNceLossTest} (B=2, G=2, d=2, τ = 0.5):
 *
 * <pre>
 * S = Q·Pᵀ/τ:  q0: [1.6,  0,   1.2, 2.0]   target column 0
 *              q1: [1.92, 1.6, 2.0, 1.2]   target column 2
 * guide:       q0: [0.75, 0.125, 0.625, 0.875]  positive 0.75
 *              q1: [0.5,  0.25,  0.625, 0.125]  positive 0.625
 * (binary fractions, so every threshold below is computed without rounding)
 * </pre>
 *
 * Unmasked: ℓ0 = 1.2131430, ℓ1 = 1.1127668, L = 1.1629549 (the InfoNCE value).
 */
class GuidedMaskingLossTest {

    private static final double TOL = 1e-5;
    private static final float[] Q = {1f, 0f, 0.6f, 0.8f};
    private static final float[] P = {0.8f, 0.6f, 0f, 1f, 0.6f, 0.8f, 1f, 0f};
    private static final double[][] GUIDE = {{0.75, 0.125, 0.625, 0.875}, {0.5, 0.25, 0.625, 0.125}};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private LossInput input() {
        return LossInput.of(manager.create(Q, new Shape(2, 2)), manager.create(P, new Shape(4, 2)), 2);
    }

    private static GuidedMaskingLoss.Builder tau05() {
        return GuidedMaskingLoss.builder().temperature(0.5);
    }

    @Test
    void withoutGuideScoresItIsInfoNce() {
        LossResult r = tau05().build().compute(input());
        assertEquals(1.1629549, r.loss().getFloat(), TOL);
        assertEquals(0, r.maskedCandidates());
        LossResult plain = InfoNceLoss.builder().temperature(0.5).build().compute(input());
        assertEquals(plain.loss().getFloat(), r.loss().getFloat(), 1e-6);
    }

    @Test
    void guideThatRanksNothingAboveThePositiveMasksNothing() {
        double[][] guide = {{0.9, 0.1, 0.2, 0.3}, {0.1, 0.2, 0.9, 0.3}};
        LossResult r = tau05().margin(0.5).build().compute(input().withGuideScores(guide));
        assertEquals(0, r.maskedCandidates());
        assertEquals(1.1629549, r.loss().getFloat(), TOL);
    }

    @Test
    void marginZeroMasksOnlyCandidatesStrictlyAboveThePositive() {
        // q0: only 0.875 > 0.75, column 3 masked: ℓ0 = ln(e^1.6 + e^0 + e^1.2) − 1.6 = 0.6271231
        // q1: nothing > 0.625: ℓ1 = 1.1127668; L = 0.8699449, 1 masked
        LossResult r = tau05().build().compute(input().withGuideScores(GUIDE));
        assertEquals(1, r.maskedCandidates());
        assertEquals(0.8699449, r.loss().getFloat(), TOL);
        assertEquals(0.8699449, r.contrastive().getFloat(), TOL);
        float[] s = r.scores().toFloatArray();
        assertEquals(-Float.MAX_VALUE, s[3], 0f);
        assertArrayEquals(new float[] {1.6f, 0f, 1.2f}, new float[] {s[0], s[1], s[2]}, 1e-6f);
    }

    @Test
    void absoluteMarginIsStrictAtTheBoundary() {
        // margin 0.125: q0 threshold 0.625 (column 2 = 0.625 stays), q1 threshold 0.5 (column 0 = 0.5 stays)
        LossResult r = tau05().margin(0.125).build().compute(input().withGuideScores(GUIDE));
        assertEquals(1, r.maskedCandidates());
        assertEquals(0.8699449, r.loss().getFloat(), TOL);
    }

    @Test
    void absoluteMarginMasksCandidatesNearThePositive() {
        // margin 0.25: q0 threshold 0.5 masks columns 2, 3:    ℓ0 = ln(e^1.6 + e^0) − 1.6 = 0.1839007
        //              q1 threshold 0.375 masks column 0:     ℓ1 = ln(e^1.6 + e^2.0 + e^1.2) − 2.0 = 0.7512505
        // L = 0.4675756, 3 masked
        LossResult r = tau05().margin(0.25).build().compute(input().withGuideScores(GUIDE));
        assertEquals(3, r.maskedCandidates());
        assertEquals(0.4675756, r.loss().getFloat(), TOL);
    }

    @Test
    void relativeMarginScalesWithThePositive() {
        // r = 0.25: q0 threshold 0.75·0.75 = 0.5625 masks columns 2, 3; q1 threshold 0.75·0.625 = 0.46875
        // masks column 0; same masks as absolute 0.25: L = 0.4675756, 3 masked
        LossResult r = tau05().margin(0.25).marginType(MarginType.RELATIVE).build()
                .compute(input().withGuideScores(GUIDE));
        assertEquals(3, r.maskedCandidates());
        assertEquals(0.4675756, r.loss().getFloat(), TOL);
        // r = 0.125: thresholds 0.65625 and 0.546875 mask only q0's column 3, as margin 0 does
        LossResult small = tau05().margin(0.125).marginType(MarginType.RELATIVE).build()
                .compute(input().withGuideScores(GUIDE));
        assertEquals(1, small.maskedCandidates());
        assertEquals(0.8699449, small.loss().getFloat(), TOL);
    }

    @Test
    void groupOnlyMaskingRemovesTheMaskedNegativesGradient() {
        // group-only guide B×G: q0 [0.8, 0.85] masks its negative (column 1): ℓ0 = 0
        //                       q1 [0.7, 0.2] masks nothing: ℓ1 = ln(1 + e^−0.8) = 0.3711007; L = 0.1855503
        double[][] guide = {{0.8, 0.85}, {0.7, 0.2}};
        NDArray q = manager.create(Q, new Shape(2, 2));
        NDArray p = manager.create(P, new Shape(4, 2));
        p.setRequiresGradient(true);
        LossResult r;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            r = tau05().inBatchNegatives(false).build().compute(LossInput.of(q, p, 2).withGuideScores(guide));
            gc.backward(r.loss());
        }
        assertEquals(1, r.maskedCandidates());
        assertEquals(0.1855503, r.loss().getFloat(), TOL);
        float[] grad = p.getGradient().toFloatArray();
        assertEquals(0f, grad[2], 0f); // row 1 = q0's masked negative
        assertEquals(0f, grad[3], 0f);
        assertTrue(Math.abs(grad[6]) > 1e-3, "q1's unmasked negative still gets a gradient");
    }

    @Test
    void guideScoresOfTheWrongWidthAreRefused() {
        double[][] groupWidth = {{0.8, 0.85}, {0.7, 0.2}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tau05().build().compute(input().withGuideScores(groupWidth)));
        assertTrue(e.getMessage().contains("guideScores"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> input().withGuideScores(new double[][] {{0.8, 0.1, 0.75, Double.NaN}, {0.65, 0.3, 0.7, 0.2}}));
        assertTrue(bad.getMessage().contains("guideScores[0]"), bad.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> input().withGuideScores(new double[][] {{0.8, 0.1, 0.75}, {0.65, 0.3, 0.7}}));
        assertTrue(width.getMessage().contains("guideScores[0]"), width.getMessage());
    }

    @Test
    void extraNegativesAreRefused() {
        LossInput in = input().withExtraNegatives(manager.create(new float[] {0.6f, 0.8f}, new Shape(1, 2)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tau05().build().compute(in));
        assertTrue(e.getMessage().contains("extra negatives"), e.getMessage());
    }

    @Test
    void builderRefusesBadSettingsByName() {
        assertMessage("margin", () -> GuidedMaskingLoss.builder().margin(-0.1).build());
        assertMessage("margin", () -> GuidedMaskingLoss.builder().margin(Double.NaN).build());
        assertMessage("margin", () -> GuidedMaskingLoss.builder().margin(Double.POSITIVE_INFINITY).build());
        assertMessage("margin", () -> GuidedMaskingLoss.builder().margin(1.0).marginType(MarginType.RELATIVE).build());
        assertMessage("marginType", () -> GuidedMaskingLoss.builder().marginType(null).build());
        assertMessage("temperature", () -> GuidedMaskingLoss.builder().temperature(0).build());
        assertMessage("temperature", () -> GuidedMaskingLoss.builder().temperature(Double.NaN).build());
        // an absolute margin of 1 or more is allowed (cosine guide scores span 2)
        assertEquals(1.5, GuidedMaskingLoss.builder().margin(1.5).build().margin());
    }

    @Test
    void matryoshkaPassesTheGuideScoresOnAndReportsTheMaskOnce() {
        // both dimensions see the same guide scores and mask q0's column 3; the wrapper reports 1, not 1 + 1
        LossResult r = MatryoshkaLoss.of(tau05().build(), java.util.List.of(2, 1), java.util.List.of(1.0, 1.0))
                .compute(input().withGuideScores(GUIDE));
        assertEquals(1, r.maskedCandidates());
    }

    @Test
    void describeNamesEveryOption() {
        assertEquals("GuidedMasking(temperature=0.5, inBatchNegatives=false, margin=0.1, marginType=RELATIVE)",
                tau05().inBatchNegatives(false).margin(0.1).marginType(MarginType.RELATIVE).build().describe());
    }

    private static void assertMessage(String option, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().startsWith(option + " "), e.getMessage());
    }
}
