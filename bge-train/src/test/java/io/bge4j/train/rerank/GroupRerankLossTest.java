package io.bge4j.train.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The group loss against hand-computed values and its gradient against finite differences. */
class GroupRerankLossTest {

    @Test
    void crossEntropyAndDistillationMatchHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new double[] {2, 1, 0, 0, 0, 0}, new Shape(2, 3));
            NDArray t = m.create(new double[] {0, 0, 0, Math.log(2), 0, 0}, new Shape(2, 3));
            // row 1: -log softmax([2,1,0])_0 = log(1 + e^-1 + e^-2); row 2: log 3
            double ce = (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + Math.log(3)) / 2;
            assertEquals(0.7531091265562452, ce, 1e-15);
            GroupRerankLoss.Result plain = new GroupRerankLoss(1.0).compute(s, null);
            assertEquals(ce, plain.loss().getDouble(), 1e-12);
            assertEquals(0.0, plain.distillation());
            // KD: row 1 uniform teacher: -(1/3) sum log p = lse - 1 = 1.4076..; row 2 any teacher: log 3
            GroupRerankLoss.Result kd = new GroupRerankLoss(0.5).compute(s, t);
            assertEquals(1.2531091265562453, kd.distillation(), 1e-12);
            assertEquals(0.7531091265562452, kd.crossEntropy(), 1e-12);
            assertEquals(1.3796636898343677, kd.loss().getDouble(), 1e-12);
        }
    }

    @Test
    void gradientIsSoftmaxMinusTargetOverBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new double[] {2, 1, 0, 0, 0, 0}, new Shape(2, 3));
            s.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new GroupRerankLoss(1).compute(s, null).loss());
            }
            double[] g = s.getGradient().toDoubleArray();
            assertEquals(-0.16737952211258916, g[0], 1e-12);
            assertEquals(0.12236423552739879, g[1], 1e-12);
            assertEquals(0.04501528658519022, g[2], 1e-12);
            assertEquals((1.0 / 3 - 1) / 2, g[3], 1e-12);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesWithDistillation() {
        Random rnd = new Random(7);
        int b = 3;
        int gs = 4;
        double[] sv = new double[b * gs];
        double[] tv = new double[b * gs];
        for (int i = 0; i < sv.length; i++) {
            sv[i] = rnd.nextGaussian() * 2;
            tv[i] = rnd.nextGaussian() * 3;
        }
        GroupRerankLoss loss = new GroupRerankLoss(0.7);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(sv, new Shape(b, gs));
            NDArray t = m.create(tv, new Shape(b, gs));
            s.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.compute(s, t).loss());
            }
            double[] analytic = s.getGradient().toDoubleArray();
            t.setRequiresGradient(false);
            double h = 1e-6;
            for (int i = 0; i < sv.length; i++) {
                double[] up = sv.clone();
                double[] down = sv.clone();
                up[i] += h;
                down[i] -= h;
                double fd = (value(m, loss, up, tv, b, gs) - value(m, loss, down, tv, b, gs)) / (2 * h);
                assertEquals(fd, analytic[i], 1e-7, "d L / d s[" + i + "]");
            }
        }
    }

    @Test
    void teacherGetsNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray t = m.create(new float[] {4, 3, 2, 1}, new Shape(2, 2));
            s.setRequiresGradient(true);
            t.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(new GroupRerankLoss(1).compute(s, t).loss());
            }
            assertEquals(0.0, t.getGradient().abs().sum().getFloat(), 0.0);
        }
    }

    @Test
    void badShapesAndWeightsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new GroupRerankLoss(-1));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> new GroupRerankLoss(1).compute(m.zeros(new Shape(3)), null));
            assertThrows(IllegalArgumentException.class,
                    () -> new GroupRerankLoss(1).compute(m.zeros(new Shape(2, 3)), m.zeros(new Shape(2, 2))));
        }
    }

    private static double value(NDManager m, GroupRerankLoss loss, double[] s, double[] t, int b, int g) {
        try (NDManager sm = m.newSubManager()) {
            NDArray r = loss.compute(sm.create(s, new Shape(b, g)), sm.create(t, new Shape(b, g))).loss();
            return r.toType(DataType.FLOAT64, false).getDouble();
        }
    }
}
