package io.bge4j.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {

    private static final String W = "encoder.layer.0.attention.self.query.weight";
    private static final String B = "encoder.layer.0.attention.self.query.bias";
    private static final String LN_W = "embeddings.LayerNorm.weight";
    private static final String LN_B = "encoder.layer.0.output.LayerNorm.bias";

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray param(NDManager m, double... values) {
        NDArray p = m.create(values, new Shape(values.length));
        p.setRequiresGradient(true);
        return p;
    }

    /** Makes each parameter's gradient equal the given constants: backward of Σ c ⊙ p. */
    private static void setGradients(Map<String, NDArray> params, Map<String, double[]> grads) {
        AdamW.zeroGradients(params);
        try (NDManager scope = NDManager.newBaseManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray total = null;
            for (Map.Entry<String, double[]> e : grads.entrySet()) {
                NDArray c = scope.create(e.getValue(), new Shape(e.getValue().length));
                NDArray term = c.mul(params.get(e.getKey())).sum();
                total = total == null ? term : total.add(term);
            }
            gc.backward(total);
        }
    }

    @Test
    void oneStepMatchesTheFormula() {
        // t = 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so
        // p' = p·(1 − lr·λ) − lr·g / (|g| + ε)
        // lr = 0.1, λ = 0.01, p = [1, −2, 0.5], g = [0.1, −0.3, 2]:
        // p0' = 0.999 − 0.1·0.1/(0.1 + 1e−8)   = 0.89900001
        // p1' = −1.998 + 0.1·0.3/(0.3 + 1e−8)  = −1.89800000
        // p2' = 0.4995 − 0.1·2/(2 + 1e−8)      = 0.39950000
        Map<String, NDArray> params = Map.of(W, param(manager, 1, -2, 0.5));
        setGradients(params, Map.of(W, new double[] {0.1, -0.3, 2}));
        try (AdamW adamw = AdamW.builder().weightDecay(0.01).build()) {
            adamw.step(params, 0.1);
            assertEquals(1, adamw.stepCount());
        }
        double[] expected = {
            0.999 - 0.1 * 0.1 / (0.1 + 1e-8), -1.998 + 0.1 * 0.3 / (0.3 + 1e-8), 0.4995 - 0.1 * 2 / (2 + 1e-8)};
        assertArrayEquals(expected, params.get(W).toDoubleArray(), 1e-12);
        assertEquals(0.89900001, params.get(W).toDoubleArray()[0], 1e-8);
    }

    @Test
    void threeStepsMatchAScalarReference() {
        double[] p0 = {0.3, -1.2, 2.0, 0.0};
        double[][] grads = {{0.5, -0.1, 0.0, 1.0}, {-0.2, -0.4, 0.3, 1.0}, {0.1, 0.2, -0.6, -2.0}};
        double[] lrs = {1e-2, 5e-3, 2e-3};
        double beta1 = 0.8;
        double beta2 = 0.95;
        double eps = 1e-6;
        double lambda = 0.1;

        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(W, param(manager, p0.clone()));
        params.put(B, param(manager, p0.clone()));
        try (AdamW adamw = AdamW.builder().betas(beta1, beta2).epsilon(eps).weightDecay(lambda).build()) {
            for (int t = 0; t < 3; t++) {
                setGradients(params, Map.of(W, grads[t], B, grads[t]));
                adamw.step(params, lrs[t]);
            }
            assertEquals(3, adamw.stepCount());
        }
        assertArrayEquals(reference(p0, grads, lrs, beta1, beta2, eps, lambda), params.get(W).toDoubleArray(), 1e-12);
        // the bias gets the same Adam update without decay
        assertArrayEquals(reference(p0, grads, lrs, beta1, beta2, eps, 0), params.get(B).toDoubleArray(), 1e-12);
    }

    /** Element-by-element AdamW written from the torch.optim.AdamW definition. */
    private static double[] reference(double[] p0, double[][] grads, double[] lrs, double b1, double b2, double eps,
            double lambda) {
        double[] p = p0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int t = 1; t <= grads.length; t++) {
            double lr = lrs[t - 1];
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                p[i] -= lr * lambda * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return p;
    }

    @Test
    void biasesAndLayerNormDoNotDecay() {
        // zero gradients: the Adam term is 0/(0 + ε) = 0, so only decay moves a parameter: p·(1 − lr·λ)
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String n : new String[] {W, B, LN_W, LN_B, "pooler.dense.weight"}) {
            params.put(n, param(manager, 2.0, -4.0));
        }
        setGradients(params, Map.of(W, new double[2], B, new double[2], LN_W, new double[2], LN_B, new double[2],
                "pooler.dense.weight", new double[2]));
        try (AdamW adamw = AdamW.builder().weightDecay(0.5).build()) {
            assertTrue(adamw.decays(W));
            assertFalse(adamw.decays(B));
            assertFalse(adamw.decays(LN_W));
            assertFalse(adamw.decays(LN_B));
            assertFalse(adamw.decays("embeddings.LayerNorm.bias"));
            assertTrue(adamw.decays("embeddings.word_embeddings.weight"));
            adamw.step(params, 0.1);
        }
        assertArrayEquals(new double[] {1.9, -3.8}, params.get(W).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1.9, -3.8}, params.get("pooler.dense.weight").toDoubleArray(), 1e-12);
        for (String n : new String[] {B, LN_W, LN_B}) {
            assertArrayEquals(new double[] {2.0, -4.0}, params.get(n).toDoubleArray(), 0.0, n);
        }
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        NDArray frozen = manager.create(new double[] {1.0, 2.0}, new Shape(2));
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(W, param(manager, 1.0));
        params.put("frozen.weight", frozen);
        setGradients(Map.of(W, params.get(W)), Map.of(W, new double[] {1.0}));
        try (AdamW adamw = AdamW.builder().build()) {
            adamw.step(params, 0.1);
            assertEquals(1, adamw.exportState().moments().size());
        }
        assertArrayEquals(new double[] {1.0, 2.0}, frozen.toDoubleArray(), 0.0);
    }

    @Test
    void clippingScalesToTheMaxNormAndReturnsThePreClipNorm() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(W, param(manager, 0, 0));
        params.put(B, param(manager, 0, 0));
        setGradients(params, Map.of(W, new double[] {3, 0}, B, new double[] {0, 4}));
        assertEquals(5.0, GradientClipping.globalNorm(params), 1e-12);
        // max 10 > 5: unchanged
        assertEquals(5.0, GradientClipping.clipByGlobalNorm(params, 10.0), 1e-12);
        assertArrayEquals(new double[] {3, 0}, params.get(W).getGradient().toDoubleArray(), 0.0);
        // max 1 < 5: scaled by 1 / (5 + 1e-6)
        assertEquals(5.0, GradientClipping.clipByGlobalNorm(params, 1.0), 1e-12);
        double c = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 0}, params.get(W).getGradient().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 4 * c}, params.get(B).getGradient().toDoubleArray(), 1e-15);
        assertEquals(1.0, GradientClipping.globalNorm(params), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(params, 0));
    }

    @Test
    void clippingReportsNonFiniteNormWithoutTouchingGradients() {
        Map<String, NDArray> params = Map.of(W, param(manager, 0, 0));
        setGradients(params, Map.of(W, new double[] {Double.NaN, 1}));
        assertTrue(Double.isNaN(GradientClipping.clipByGlobalNorm(params, 1.0)));
        assertEquals(1.0, params.get(W).getGradient().toDoubleArray()[1], 0.0);
    }

    @Test
    void stateRoundTripsThroughAFileAndResumesIdentically(@TempDir Path dir) {
        // float32 parameters: the exported float32 moments are exact, so resumed and continuous runs agree bit for bit
        float[] init = {0.3f, -1.2f, 2.0f};
        double[][] grads = {{0.5, -0.1, 0.2}, {-0.2, -0.4, 0.3}, {0.1, 0.2, -0.6}};
        Map<String, NDArray> a = Map.of(W, f32(init), LN_W, f32(init));
        Map<String, NDArray> b = Map.of(W, f32(init), LN_W, f32(init));
        Path file = dir.resolve("optimizer.safetensors");
        try (AdamW continuous = AdamW.builder().build()) {
            try (AdamW first = AdamW.builder().build()) {
                for (int t = 0; t < 2; t++) {
                    setGradients(a, Map.of(W, grads[t], LN_W, grads[t]));
                    continuous.step(a, 1e-2);
                    setGradients(b, Map.of(W, grads[t], LN_W, grads[t]));
                    first.step(b, 1e-2);
                }
                first.exportState().save(file);
            }
            AdamWState loaded = AdamWState.load(file);
            assertEquals(2, loaded.step());
            assertEquals(2, loaded.moments().get(W).step());
            try (AdamW resumed = AdamW.builder().build()) {
                resumed.importState(loaded);
                assertEquals(2, resumed.stepCount());
                setGradients(a, Map.of(W, grads[2], LN_W, grads[2]));
                continuous.step(a, 1e-2);
                setGradients(b, Map.of(W, grads[2], LN_W, grads[2]));
                resumed.step(b, 1e-2);
                assertEquals(3, resumed.stepCount());
            }
        }
        assertArrayEquals(a.get(W).toFloatArray(), b.get(W).toFloatArray(), 0f);
        assertArrayEquals(a.get(LN_W).toFloatArray(), b.get(LN_W).toFloatArray(), 0f);
    }

    private NDArray f32(float[] values) {
        NDArray p = manager.create(values.clone(), new Shape(values.length));
        p.setRequiresGradient(true);
        return p;
    }

    @Test
    void importRejectsAShapeMismatch() {
        Map<String, NDArray> params = Map.of(W, param(manager, 1, 2));
        setGradients(params, Map.of(W, new double[] {1, 1}));
        AdamWState state;
        try (AdamW first = AdamW.builder().build()) {
            first.step(Map.of(W, params.get(W)), 0.1);
            state = first.exportState();
        }
        Map<String, NDArray> other = Map.of(W, param(manager, 1, 2, 3));
        setGradients(other, Map.of(W, new double[] {1, 1, 1}));
        try (AdamW second = AdamW.builder().build()) {
            second.importState(state);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> second.step(other, 0.1));
            assertTrue(e.getMessage().contains(W), e.getMessage());
        }
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        NDManager paramManager = manager.newSubManager();
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put(W, param(paramManager, 1, 2, 3));
        params.put(B, param(paramManager, 1, 2, 3));
        try (AdamW adamw = AdamW.builder().build()) {
            setGradients(params, Map.of(W, new double[] {1, 2, 3}, B, new double[] {1, 2, 3}));
            adamw.step(params, 0.01); // first step creates the optimizer's state manager
            int before = resourceCount(paramManager);
            for (int i = 0; i < 20; i++) {
                setGradients(params, Map.of(W, new double[] {1, 2, 3}, B, new double[] {1, 2, 3}));
                GradientClipping.clipByGlobalNorm(params, 0.5);
                adamw.step(params, 0.01);
            }
            assertEquals(before, resourceCount(paramManager));
        }
    }

    /** DJL's managers print their resource count; there is no public accessor. */
    static int resourceCount(NDManager m) {
        Matcher matcher = Pattern.compile("Resource size: (\\d+)").matcher(m.toString());
        assertTrue(matcher.find(), "unexpected NDManager.toString(): " + m);
        return Integer.parseInt(matcher.group(1));
    }

    @Test
    void builderNamesTheBadOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(1.0, 0.9).build())
                .getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(0.9, -0.1).build())
                .getMessage().contains("beta2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdamW.builder().epsilon(0).build())
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdamW.builder().weightDecay(-1).build())
                .getMessage().contains("weightDecay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdamW.builder().noDecay(null).build())
                .getMessage().contains("noDecay"));
    }
}
