package io.bge4j.train.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.train.loss.GuidedMaskingLoss.MarginType;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the autograd gradient of {@link GuidedMaskingLoss} w.r.t. Q and P against central finite
 * differences in float64 (B=3, G=3, d=4), with fixed guide scores that mask some candidates.
 */
class GuidedMaskingGradientCheckTest {

    private static final int B = 3;
    private static final int G = 3;
    private static final int D = 4;
    private static final double H = 1e-5;

    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("in-batch absolute", true, MarginType.ABSOLUTE, 0.1),
                Arguments.of("group-only absolute", false, MarginType.ABSOLUTE, 0.1),
                Arguments.of("in-batch relative", true, MarginType.RELATIVE, 0.05),
                Arguments.of("group-only relative", false, MarginType.RELATIVE, 0.05));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void autogradMatchesFiniteDifferences(String name, boolean inBatch, MarginType type, double margin) {
        Random rnd = new Random(7);
        double[] q = gaussian(rnd, B * D);
        double[] p = gaussian(rnd, B * G * D);
        int columns = inBatch ? B * G : G;
        double[][] guide = new double[B][columns];
        for (double[] row : guide) {
            for (int j = 0; j < columns; j++) {
                row[j] = 0.5 + rnd.nextDouble() * 0.5;
            }
        }
        GuidedMaskingLoss loss = GuidedMaskingLoss.builder()
                .temperature(0.3).inBatchNegatives(inBatch).margin(margin).marginType(type).build();

        double[] analyticQ;
        double[] analyticP;
        long masked;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray qa = mgr.create(q, new Shape(B, D));
            NDArray pa = mgr.create(p, new Shape(B * G, D));
            qa.setRequiresGradient(true);
            pa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossResult r = loss.compute(LossInput.of(qa, pa, G).withGuideScores(guide));
                masked = r.maskedCandidates();
                gc.backward(r.loss());
            }
            analyticQ = qa.getGradient().toDoubleArray();
            analyticP = pa.getGradient().toDoubleArray();
        }
        assertTrue(masked > 0, name + ": the guide masked nothing, the check would not cover masking");
        assertTrue(masked < (long) B * (columns - 1), name + ": the guide masked every negative");
        double[] numericQ = new double[q.length];
        double[] numericP = new double[p.length];
        for (int k = 0; k < q.length; k++) {
            numericQ[k] = centralDifference(loss, guide, q, p, q, k);
        }
        for (int k = 0; k < p.length; k++) {
            numericP[k] = centralDifference(loss, guide, q, p, p, k);
        }
        assertClose(name + " dL/dQ", analyticQ, numericQ);
        assertClose(name + " dL/dP", analyticP, numericP);
    }

    private static double value(GuidedMaskingLoss loss, double[][] guide, double[] q, double[] p) {
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray qa = mgr.create(q, new Shape(B, D));
            NDArray pa = mgr.create(p, new Shape(B * G, D));
            return loss.compute(LossInput.of(qa, pa, G).withGuideScores(guide)).loss().getDouble();
        }
    }

    private static double centralDifference(GuidedMaskingLoss loss, double[][] guide, double[] q, double[] p,
            double[] target, int k) {
        double saved = target[k];
        target[k] = saved + H;
        double plus = value(loss, guide, q, p);
        target[k] = saved - H;
        double minus = value(loss, guide, q, p);
        target[k] = saved;
        return (plus - minus) / (2 * H);
    }

    private static void assertClose(String what, double[] analytic, double[] numeric) {
        double diff = 0;
        double na = 0;
        double nn = 0;
        for (int i = 0; i < analytic.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            na += analytic[i] * analytic[i];
            nn += numeric[i] * numeric[i];
        }
        double rel = Math.sqrt(diff) / Math.max(Math.max(Math.sqrt(na), Math.sqrt(nn)), 1e-12);
        assertTrue(Math.sqrt(na) > 1e-6, what + ": gradient is zero, the check would be vacuous");
        assertTrue(rel <= 1e-4, what + ": relative error " + rel + " > 1e-4");
    }

    private static double[] gaussian(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * 0.5;
        }
        return v;
    }
}
