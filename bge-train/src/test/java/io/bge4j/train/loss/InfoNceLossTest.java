package io.bge4j.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed loss values on a fixed B=2, G=2, d=2 batch.
 *
 * <pre>
 * Q = [[1, 0], [0.6, 0.8]]
 * P = [[0.8, 0.6], [0, 1],      group of q0: positive p0, negative p1
 *      [0.6, 0.8], [1, 0]]      group of q1: positive p2, negative p3
 * τ = 0.5, so S = Q·Pᵀ/τ = 2·Q·Pᵀ =
 *   q0: [1.6,  0,   1.2, 2.0]
 *   q1: [1.92, 1.6, 2.0, 1.2]
 * own-group scores: q0 [1.6, 0], q1 [2.0, 1.2]
 * </pre>
 */
class InfoNceLossTest {

    private static final double TOL = 1e-5;
    private static final float[] Q = {1f, 0f, 0.6f, 0.8f};
    private static final float[] P = {0.8f, 0.6f, 0f, 1f, 0.6f, 0.8f, 1f, 0f};
    /** Raw teacher scores: q0 prefers its positive, q1 prefers its negative. */
    private static final double[][] TEACHER = {{2.0, 1.0}, {0.5, 1.5}};

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

    private static InfoNceLoss.Builder tau05() {
        return InfoNceLoss.builder().temperature(0.5);
    }

    @Test
    void inBatchNegatives() {
        // target columns 0 and 2 (i·G).
        // ℓ0 = ln(e^1.6 + e^0 + e^1.2 + e^2.0) − 1.6 = 1.2131430
        // ℓ1 = ln(e^1.92 + e^1.6 + e^2.0 + e^1.2) − 2.0 = 1.1127668
        // L = (ℓ0 + ℓ1) / 2 = 1.1629549
        LossResult r = tau05().build().compute(input());
        assertEquals(1.1629549, r.loss().getFloat(), TOL);
        assertEquals(1.1629549, r.contrastive().getFloat(), TOL);
        assertNull(r.distillation());
        assertEquals(new Shape(2, 4), r.scores().getShape());
        assertArrayEquals(new float[] {1.6f, 0f, 1.2f, 2f, 1.92f, 1.6f, 2f, 1.2f}, r.scores().toFloatArray(), 1e-6f);
    }

    @Test
    void groupOnly() {
        // each query against its own group only, target column 0.
        // ℓ0 = ln(e^1.6 + e^0) − 1.6 = ln(1 + e^−1.6) = 0.1839007
        // ℓ1 = ln(e^2.0 + e^1.2) − 2.0 = ln(1 + e^−0.8) = 0.3711007
        // L = 0.2775007
        LossResult r = tau05().inBatchNegatives(false).build().compute(input());
        assertEquals(0.2775007, r.loss().getFloat(), TOL);
        assertEquals(new Shape(2, 2), r.scores().getShape());
        assertArrayEquals(new float[] {1.6f, 0f, 2f, 1.2f}, r.scores().toFloatArray(), 1e-6f);
    }

    @Test
    void klDivInBatchAddsSoftCrossEntropyOnTheGroupScores() {
        // teacher targets t = softmax(T): t0 = [σ(1), σ(−1)] = [0.7310586, 0.2689414], t1 = [0.2689414, 0.7310586]
        // student group log-softmax: q0: log_softmax([1.6, 0]) = [−0.1839007, −1.7839007]
        //                            q1: log_softmax([2.0, 1.2]) = [−0.3711007, −1.1711007]
        // kd0 = 0.7310586·0.1839007 + 0.2689414·1.7839007 = 0.6142070
        // kd1 = 0.2689414·0.3711007 + 0.7310586·1.1711007 = 0.9559475
        // kd = (kd0 + kd1)/2 = 0.7850773; total = InfoNCE(in-batch) 1.1629549 + 0.7850773 = 1.9480322
        LossResult r = tau05().distillation(DistillationType.KL_DIV).build()
                .compute(input().withTeacherScores(TEACHER));
        assertEquals(0.7850773, r.distillation().getFloat(), TOL);
        assertEquals(1.1629549, r.contrastive().getFloat(), TOL);
        assertEquals(1.9480322, r.loss().getFloat(), TOL);
    }

    @Test
    void klDivGroupOnly() {
        // same kd = 0.7850773 (it only sees group scores); InfoNCE group-only 0.2775007; total 1.0625780
        LossResult r = tau05().inBatchNegatives(false).build().compute(input().withTeacherScores(TEACHER));
        assertEquals(1.0625780, r.loss().getFloat(), TOL);
    }

    @Test
    void teacherTemperatureSoftensTheTargets() {
        // τ_t = 2: t0 = softmax([1.0, 0.5]) = [0.6224593, 0.3775407], t1 = [0.3775407, 0.6224593]
        // kd0 = 0.6224593·0.1839007 + 0.3775407·1.7839007 = 0.7879658
        // kd1 = 0.3775407·0.3711007 + 0.6224593·1.1711007 = 0.8690681
        // kd = 0.8285170; total in-batch = 1.1629549 + 0.8285170 = 1.9914719
        LossResult r = tau05().teacherTemperature(2.0).build().compute(input().withTeacherScores(TEACHER));
        assertEquals(0.8285170, r.distillation().getFloat(), TOL);
        assertEquals(1.9914719, r.loss().getFloat(), TOL);
    }

    @Test
    void m3KdLossInBatch() {
        // k = 0: targets columns 0 and 2 over full rows: CE = [1.2131430, 1.1127668]
        //        term0 = (0.7310586·1.2131430 + 0.2689414·1.1127668)/2 = 0.5930738
        // k = 1: targets columns 1 and 3; column 0 (q0) / column 2 (q1) removed from the denominators:
        //        q0: ln(e^0 + e^1.2 + e^2.0) − 0 = 2.4603726
        //        q1: ln(e^1.92 + e^1.6 + e^1.2) − 1.2 = 1.5143045
        //        term1 = (0.2689414·2.4603726 + 0.7310586·1.5143045)/2 = 0.8843707
        // loss = 1.4774445 (no InfoNCE added)
        LossResult r = tau05().distillation(DistillationType.M3_KD_LOSS).build()
                .compute(input().withTeacherScores(TEACHER));
        assertEquals(1.4774445, r.loss().getFloat(), TOL);
        assertNull(r.contrastive());
        assertEquals(1.4774445, r.distillation().getFloat(), TOL);
    }

    @Test
    void m3KdLossGroupOnly() {
        // k = 0: CE = group-only [0.1839007, 0.3711007]; term0 = (0.7310586·0.1839007 + 0.2689414·0.3711007)/2 = 0.1171233
        // k = 1: only the target column is left, CE = 0
        // loss = 0.1171233
        LossResult r = tau05().inBatchNegatives(false).distillation(DistillationType.M3_KD_LOSS).build()
                .compute(input().withTeacherScores(TEACHER));
        assertEquals(0.1171233, r.loss().getFloat(), TOL);
    }

    @Test
    void extraNegativesWithMask() {
        // E = [[0.6, 0.8], [−1, 0]]; X = Q·Eᵀ/τ: q0 [1.2, −2.0], q1 [2.0, −1.2]
        // mask: E0 is q1's positive text, so q1 ignores column E0.
        // ℓ0 = ln(e^1.6 + e^0 + e^1.2 + e^2.0 + e^1.2 + e^−2.0) − 1.6 = 1.4015979
        // ℓ1 = ln(e^1.92 + e^1.6 + e^2.0 + e^1.2 + e^−1.2) − 2.0 = 1.1260743
        // L = 1.2638361 (without the mask ℓ1 = 1.4069612 and L = 1.4042796)
        NDArray e = manager.create(new float[] {0.6f, 0.8f, -1f, 0f}, new Shape(2, 2));
        boolean[][] mask = {{false, false}, {true, false}};
        InfoNceLoss loss = tau05().build();
        LossResult masked = loss.compute(input().withExtraNegatives(e, mask));
        assertEquals(1.2638361, masked.loss().getFloat(), TOL);
        assertEquals(new Shape(2, 6), masked.scores().getShape());
        assertEquals(1.4042796, loss.compute(input().withExtraNegatives(e, null)).loss().getFloat(), TOL);
    }

    @Test
    void extraNegativesGroupOnly() {
        // q0: ln(e^1.6 + e^0 + e^1.2 + e^−2.0) − 1.6 = 0.6416119
        // q1: ln(e^2.0 + e^1.2 + e^−1.2) − 2.0 = 0.3988373 (E0 masked)
        // L = 0.5202246
        NDArray e = manager.create(new float[] {0.6f, 0.8f, -1f, 0f}, new Shape(2, 2));
        LossResult r = tau05().inBatchNegatives(false).build()
                .compute(input().withExtraNegatives(e, new boolean[][] {{false, false}, {true, false}}));
        assertEquals(0.5202246, r.loss().getFloat(), TOL);
    }

    @Test
    void m3WithMaskedMemory() {
        // as m3KdLossInBatch, every denominator also holds q's unmasked memory columns:
        // k=0: q0 ℓ = 1.4015979, q1 ℓ = 1.1260743; k=1: q0 ln(e^0+e^1.2+e^2+e^1.2+e^−2) = 2.7189654,
        //      q1 ln(e^1.92+e^1.6+e^1.2+e^−1.2) − 1.2 = 1.5340624
        // loss = (0.7310586·1.4015979 + 0.2689414·1.1260743)/2 + (0.2689414·2.7189654 + 0.7310586·1.5340624)/2
        //      = 1.5901150
        NDArray e = manager.create(new float[] {0.6f, 0.8f, -1f, 0f}, new Shape(2, 2));
        LossResult r = tau05().distillation(DistillationType.M3_KD_LOSS).build()
                .compute(input().withTeacherScores(TEACHER)
                        .withExtraNegatives(e, new boolean[][] {{false, false}, {true, false}}));
        assertEquals(1.5901150, r.loss().getFloat(), TOL);
    }

    @Test
    void extraNegativesGetNoGradient() {
        NDArray q = manager.create(Q, new Shape(2, 2));
        NDArray p = manager.create(P, new Shape(4, 2));
        NDArray e = manager.create(new float[] {0.6f, 0.8f, -1f, 0f}, new Shape(2, 2));
        q.setRequiresGradient(true);
        p.setRequiresGradient(true);
        e.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LossResult r = tau05().build().compute(LossInput.of(q, p, 2).withExtraNegatives(e, null));
            gc.backward(r.loss());
        }
        assertArrayEquals(new float[4], e.getGradient().toFloatArray());
        assertTrue(q.getGradient().abs().sum().getFloat() > 0);
    }

    @Test
    void builderAndInputValidationNameTheBadOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InfoNceLoss.builder().temperature(0).build())
                .getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> InfoNceLoss.builder().teacherTemperature(-1).build()).getMessage().contains("teacherTemperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InfoNceLoss.builder().distillation(null).build())
                .getMessage().contains("distillation"));
        NDArray q = manager.create(Q, new Shape(2, 2));
        NDArray p = manager.create(P, new Shape(4, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossInput.of(q, p, 3))
                .getMessage().contains("passages"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LossInput.of(q, p, 2).withTeacherScores(new double[][] {{1, 2, 3}, {1, 2, 3}}))
                .getMessage().contains("teacherScores[0]"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LossInput.of(q, p, 2).withExtraNegatives(manager.create(new float[3], new Shape(1, 3)), null))
                .getMessage().contains("extraNegatives"));
    }
}
