package io.bge4j.train.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the autograd gradient of the loss w.r.t. Q and P against central finite differences in
 * float64, for every mode of the loss (B=3, G=3, d=4, M=2 memory rows).
 */
class InfoNceGradientCheckTest {

    private static final int B = 3;
    private static final int G = 3;
    private static final int D = 4;
    private static final int M = 2;
    private static final double H = 1e-5;

    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("in-batch", true, null, false),
                Arguments.of("group-only", false, null, false),
                Arguments.of("in-batch kl_div", true, DistillationType.KL_DIV, false),
                Arguments.of("group-only kl_div", false, DistillationType.KL_DIV, false),
                Arguments.of("in-batch m3_kd_loss", true, DistillationType.M3_KD_LOSS, false),
                Arguments.of("group-only m3_kd_loss", false, DistillationType.M3_KD_LOSS, false),
                Arguments.of("in-batch + memory", true, null, true),
                Arguments.of("group-only + memory", false, null, true),
                Arguments.of("in-batch m3_kd_loss + memory", true, DistillationType.M3_KD_LOSS, true),
                Arguments.of("in-batch kl_div + memory", true, DistillationType.KL_DIV, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void autogradMatchesFiniteDifferences(String name, boolean inBatch, DistillationType kd, boolean memory) {
        Random rnd = new Random(42);
        double[] q = gaussian(rnd, B * D);
        double[] p = gaussian(rnd, B * G * D);
        double[] e = gaussian(rnd, M * D);
        double[][] teacher = new double[B][G];
        for (double[] row : teacher) {
            for (int j = 0; j < G; j++) {
                row[j] = rnd.nextGaussian() * 2;
            }
        }
        boolean[][] mask = {{false, true}, {false, false}, {true, false}};
        InfoNceLoss loss = InfoNceLoss.builder()
                .temperature(0.3)
                .inBatchNegatives(inBatch)
                .distillation(kd == null ? DistillationType.KL_DIV : kd)
                .teacherTemperature(0.7)
                .build();
        Setup s = new Setup(loss, kd == null ? null : teacher, memory ? e : null, memory ? mask : null);

        double[] analyticQ;
        double[] analyticP;
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray qa = mgr.create(q, new Shape(B, D));
            NDArray pa = mgr.create(p, new Shape(B * G, D));
            qa.setRequiresGradient(true);
            pa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.compute(s.input(mgr, qa, pa)).loss());
            }
            analyticQ = qa.getGradient().toDoubleArray();
            analyticP = pa.getGradient().toDoubleArray();
        }
        double[] numericQ = new double[q.length];
        double[] numericP = new double[p.length];
        for (int k = 0; k < q.length; k++) {
            numericQ[k] = centralDifference(s, q, p, q, k);
        }
        for (int k = 0; k < p.length; k++) {
            numericP[k] = centralDifference(s, q, p, p, k);
        }
        assertClose(name + " dL/dQ", analyticQ, numericQ);
        assertClose(name + " dL/dP", analyticP, numericP);
    }

    private record Setup(InfoNceLoss loss, double[][] teacher, double[] extra, boolean[][] mask) {
        LossInput input(NDManager mgr, NDArray q, NDArray p) {
            LossInput in = LossInput.of(q, p, G);
            if (teacher != null) {
                in = in.withTeacherScores(teacher);
            }
            if (extra != null) {
                in = in.withExtraNegatives(mgr.create(extra, new Shape(M, D)), mask);
            }
            return in;
        }

        double value(double[] q, double[] p) {
            try (NDManager mgr = NDManager.newBaseManager()) {
                NDArray qa = mgr.create(q, new Shape(B, D));
                NDArray pa = mgr.create(p, new Shape(B * G, D));
                return loss.compute(input(mgr, qa, pa)).loss().getDouble();
            }
        }
    }

    /** (L(x + h·e_k) − L(x − h·e_k)) / 2h, where x is {@code target} (one of q, p). */
    private static double centralDifference(Setup s, double[] q, double[] p, double[] target, int k) {
        double saved = target[k];
        target[k] = saved + H;
        double plus = s.value(q, p);
        target[k] = saved - H;
        double minus = s.value(q, p);
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
