package io.bge4j.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Matryoshka and weighted-sum losses: values computed by hand in plain Java, gradients by finite differences. */
class MatryoshkaLossTest {

    private static final int B = 2;
    private static final int G = 2;
    private static final int D = 3;
    private static final double TAU = 0.5;

    private static final InfoNceLoss INFO_NCE = InfoNceLoss.builder().temperature(TAU).build();

    /** In-batch InfoNCE over the leading {@code d} dims, re-normalised, computed without DJL. */
    static double infoNceByHand(double[] q, double[] p, int d) {
        double total = 0;
        for (int i = 0; i < B; i++) {
            double[] qi = unit(q, i, d);
            double[] logits = new double[B * G];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < B * G; j++) {
                double[] pj = unit(p, j, d);
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += qi[k] * pj[k];
                }
                logits[j] = dot / TAU;
                max = Math.max(max, logits[j]);
            }
            double sum = 0;
            for (double l : logits) {
                sum += Math.exp(l - max);
            }
            total += -(logits[i * G] - max - Math.log(sum));
        }
        return total / B;
    }

    private static double[] unit(double[] rows, int r, int d) {
        double[] v = new double[d];
        double n = 0;
        for (int k = 0; k < d; k++) {
            v[k] = rows[r * D + k];
            n += v[k] * v[k];
        }
        n = Math.sqrt(n);
        for (int k = 0; k < d; k++) {
            v[k] /= n;
        }
        return v;
    }

    private static double value(EmbeddingLoss loss, double[] q, double[] p) {
        try (NDManager m = NDManager.newBaseManager()) {
            return loss.compute(LossInput.of(m.create(q, new Shape(B, D)), m.create(p, new Shape(B * G, D)), G)).loss()
                    .getDouble();
        }
    }

    private static final double[] Q = {0.9, 0.1, -0.4, 0.2, 0.8, 0.3};
    private static final double[] P = {0.7, 0.3, 0.5, -0.2, 0.1, 0.9, 0.1, 0.9, -0.6, 0.4, -0.5, 0.2};

    @Test
    void valueIsTheWeightedSumOfTruncatedRenormalisedLosses() {
        double l3 = infoNceByHand(Q, P, 3);
        double l2 = infoNceByHand(Q, P, 2);
        double l1 = infoNceByHand(Q, P, 1);
        assertTrue(Math.abs(l3 - l2) > 1e-2, "the dimensions must give different losses: " + l3 + " " + l2);
        assertEquals(l2, value(MatryoshkaLoss.of(INFO_NCE, List.of(2), List.of(1.0)), Q, P), 1e-12);
        assertEquals(l3 + 0.5 * l2 + 0.25 * l1,
                value(MatryoshkaLoss.of(INFO_NCE, List.of(3, 2, 1), List.of(1.0, 0.5, 0.25)), Q, P), 1e-12);
        // the rows here are not unit length: at full dimension Matryoshka re-normalises them
        assertEquals(l3, value(MatryoshkaLoss.of(INFO_NCE, List.of(3), List.of(1.0)), Q, P), 1e-12);
        assertEquals(l3 + 2 * l3, value(WeightedSumLoss.builder()
                .add(MatryoshkaLoss.of(INFO_NCE, List.of(3), List.of(1.0)), 1.0)
                .add(MatryoshkaLoss.of(INFO_NCE, List.of(3), List.of(1.0)), 2.0).build(), Q, P), 1e-12);
    }

    @Test
    void autogradMatchesFiniteDifferences() {
        EmbeddingLoss loss = MatryoshkaLoss.of(INFO_NCE, List.of(3, 2, 1), List.of(1.0, 0.5, 0.25));
        Random rnd = new Random(7);
        double[] q = new double[B * D];
        double[] p = new double[B * G * D];
        for (int i = 0; i < q.length; i++) {
            q[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextGaussian();
        }
        double[] gq;
        double[] gp;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray qa = m.create(q, new Shape(B, D));
            NDArray pa = m.create(p, new Shape(B * G, D));
            qa.setRequiresGradient(true);
            pa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.compute(LossInput.of(qa, pa, G)).loss());
            }
            gq = qa.getGradient().toDoubleArray();
            gp = pa.getGradient().toDoubleArray();
        }
        double h = 1e-6;
        double max = 0;
        for (int k = 0; k < q.length; k++) {
            double[] up = q.clone();
            double[] down = q.clone();
            up[k] += h;
            down[k] -= h;
            double numeric = (value(loss, up, p) - value(loss, down, p)) / (2 * h);
            assertEquals(numeric, gq[k], 1e-6, "dL/dq[" + k + "]");
            max = Math.max(max, Math.abs(numeric));
        }
        for (int k = 0; k < p.length; k++) {
            double[] up = p.clone();
            double[] down = p.clone();
            up[k] += h;
            down[k] -= h;
            double numeric = (value(loss, q, up) - value(loss, q, down)) / (2 * h);
            assertEquals(numeric, gp[k], 1e-6, "dL/dp[" + k + "]");
        }
        assertTrue(max > 1e-3, "gradients must not be trivially zero");
    }

    @Test
    void optionsAreCheckedAndNamed() {
        assertEquals("weights[1] must be a finite value > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> MatryoshkaLoss.of(INFO_NCE, List.of(4, 2), List.of(1.0, 0.0))).getMessage());
        assertEquals("dims[1] = 4 is listed twice", assertThrows(IllegalArgumentException.class,
                () -> MatryoshkaLoss.of(INFO_NCE, List.of(4, 4), List.of(1.0, 1.0))).getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingLoss tooWide = MatryoshkaLoss.of(INFO_NCE, List.of(8), List.of(1.0));
            assertEquals("Matryoshka dimension 8 exceeds the embedding dimension 3", assertThrows(
                    IllegalArgumentException.class, () -> tooWide.compute(LossInput.of(m.create(Q, new Shape(B, D)),
                            m.create(P, new Shape(B * G, D)), G))).getMessage());
        }
        assertTrue(MatryoshkaLoss.of(INFO_NCE, List.of(2), List.of(1.0)).describe().startsWith("Matryoshka(dims=[2]"));
    }
}
