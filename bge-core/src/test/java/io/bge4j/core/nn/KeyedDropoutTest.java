package io.bge4j.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Pooling;
import io.bge4j.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Per-text dropout keys: a text's dropout masks depend only on its key, the site and its own length,
 * so a GradCache step (chunks, each padded to its own longest text) reproduces the gradients of a
 * one-graph step with dropout on.
 */
class KeyedDropoutTest {

    private static final List<String> TEXTS = List.of(
            "apt installs packages from the debian archive",
            "a",
            "the kernel image for sixty four bit pcs with many many modules and firmware blobs and more",
            "mirrors carry the archive",
            "中文 分词 测试",
            "a short one");

    private static long[] keys(long[][] ids, long seed, long step) {
        long[] k = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            k[i] = BertEncoder.dropoutKey(seed, step, ids[i]);
        }
        return k;
    }

    private static float[][] rows(NDArray e) {
        int n = Math.toIntExact(e.getShape().get(0));
        int d = Math.toIntExact(e.getShape().get(1));
        float[] flat = e.toFloatArray();
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) {
            r[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return r;
    }

    private static float[][] embed(BgeModel model, long[][] ids, boolean training, long[] keys) {
        try (NDManager m = model.manager().newSubManager()) {
            return rows(model.embed(m, ids, training, keys));
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static long[][] pick(long[][] ids, int... idx) {
        long[][] r = new long[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            r[i] = ids[idx[i]];
        }
        return r;
    }

    private static long[] pick(long[] keys, int... idx) {
        long[] r = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            r[i] = keys[idx[i]];
        }
        return r;
    }

    @Test
    void bertTextGetsTheSameEmbeddingAloneInAnyBatchAndOrder() {
        try (BgeModel model = TinyModels.bert(TEXTS, 5, 0.1)) {
            sameEverywhere(model);
        }
    }

    @Test
    void xlmRobertaTextGetsTheSameEmbeddingAloneInAnyBatchAndOrder() {
        try (BgeModel model = TinyModels.xlmRoberta(TEXTS, 6)) {
            assertTrue(model.config().hiddenDropoutProb() > 0 && model.config().attentionDropoutProb() > 0);
            sameEverywhere(model);
        }
    }

    private static void sameEverywhere(BgeModel model) {
        long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
        long[] keys = keys(ids, 42, 3);
        int target = 0;
        assertTrue(ids[2].length > ids[0].length && ids[1].length < ids[0].length, "longer and shorter texts");
        float[] alone = embed(model, pick(ids, target), true, pick(keys, target))[0];
        float[] noDropout = embed(model, pick(ids, target), false, null)[0];
        assertTrue(maxDiff(alone, noDropout) > 1e-3, "dropout must change the embedding: " + maxDiff(alone, noDropout));
        int[][] batches = {{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {1, 0}, {2, 0, 4}, {3, 0, 5, 1}};
        for (int[] b : batches) {
            Engine.getInstance().setRandomSeed(new Random(Arrays.hashCode(b)).nextInt()); // ambient state is irrelevant
            float[][] out = embed(model, pick(ids, b), true, pick(keys, b));
            for (int j = 0; j < b.length; j++) {
                float[] single = embed(model, pick(ids, b[j]), true, pick(keys, b[j]))[0];
                assertTrue(maxDiff(single, out[j]) <= 1e-5, model.name() + " text " + b[j] + " in batch "
                        + Arrays.toString(b) + ": " + maxDiff(single, out[j]));
                if (b[j] == target) {
                    assertTrue(maxDiff(alone, out[j]) <= 1e-5, "target in " + Arrays.toString(b));
                }
            }
        }
    }

    @Test
    void differentKeysDifferAndTheSameKeyRepeats() {
        try (BgeModel model = TinyModels.bert(TEXTS, 8, 0.1)) {
            long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
            long[] k1 = keys(ids, 1, 0);
            long[] k2 = keys(ids, 1, 1);
            Engine.getInstance().setRandomSeed(11);
            float[][] a = embed(model, ids, true, k1);
            Engine.getInstance().setRandomSeed(99);
            float[][] again = embed(model, ids, true, k1);
            float[][] other = embed(model, ids, true, k2);
            for (int i = 0; i < ids.length; i++) {
                assertArrayEquals(a[i], again[i], "same key, text " + i);
                assertTrue(maxDiff(a[i], other[i]) > 1e-3, "other key, text " + i + ": " + maxDiff(a[i], other[i]));
            }
        }
    }

    @Test
    void paddedPositionsDoNotReachRealOutputs() {
        try (BgeModel model = TinyModels.xlmRoberta(TEXTS, 9); NDManager m = model.manager().newSubManager()) {
            BertEncoder enc = model.encoder();
            long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
            NDArray[] tight = BgeEmbedder.pad(m, ids, model.config().padTokenId());
            long t = tight[0].getShape().get(1);
            long wide = t + 7;
            // the same texts padded 7 tokens further, with arbitrary (non-pad) ids under the zero mask
            long[] flat = new long[Math.toIntExact(ids.length * wide)];
            long[] mask = new long[flat.length];
            Random r = new Random(3);
            for (int i = 0; i < ids.length; i++) {
                for (int j = 0; j < wide; j++) {
                    boolean real = j < ids[i].length;
                    flat[Math.toIntExact(i * wide + j)] = real ? ids[i][j] : 5 + r.nextInt(10);
                    mask[Math.toIntExact(i * wide + j)] = real ? 1 : 0;
                }
            }
            NDArray wideIds = m.create(flat, new Shape(ids.length, wide));
            NDArray wideMask = m.create(mask, new Shape(ids.length, wide));
            long[] keys = keys(ids, 7, 7);
            for (boolean training : new boolean[] {false, true}) {
                long[] k = training ? keys : null;
                NDArray a = enc.forward(tight[0], tight[1], null, training, k);
                NDArray b = enc.forward(wideIds, wideMask, null, training, k);
                for (int i = 0; i < ids.length; i++) {
                    int len = ids[i].length;
                    float[] ra = a.get(new NDIndex("{}, :{}, :", i, len)).toFloatArray();
                    float[] rb = b.get(new NDIndex("{}, :{}, :", i, len)).toFloatArray();
                    assertTrue(maxDiff(ra, rb) <= 1e-5, "text " + i + " training " + training + ": " + maxDiff(ra, rb));
                }
                for (Pooling p : Pooling.values()) {
                    float[] pa = p.pool(a, tight[1]).toFloatArray();
                    float[] pb = p.pool(b, wideMask).toFloatArray();
                    assertTrue(maxDiff(pa, pb) <= 1e-5, p + " training " + training + ": " + maxDiff(pa, pb));
                }
            }
        }
    }

    @Test
    void gradCacheEqualsFullBatchWithDropoutOnAndOff() {
        try (BgeModel bert = TinyModels.bert(TEXTS, 12, 0.1); BgeModel xlmr = TinyModels.xlmRoberta(TEXTS, 13)) {
            for (BgeModel model : List.of(bert, xlmr)) {
                long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
                long[] keys = keys(ids, 2024, 17);
                int[][] chunks = {{2, 0, 4}, {1, 3, 5}}; // chunk 0 holds the longest text: different padding
                assertTrue(pick(ids, chunks[0])[0].length > Arrays.stream(pick(ids, chunks[1]))
                        .mapToInt(x -> x.length).max().orElseThrow(), "chunks must pad differently");
                int[] order = {2, 0, 4, 1, 3, 5};
                for (boolean training : new boolean[] {true, false}) {
                    long[] k = training ? keys : null;
                    Map<String, float[]> full = fullBatch(model, pick(ids, order), training, k == null ? null
                            : pick(k, order));
                    Map<String, float[]> cached = gradCache(model, ids, chunks, training, k, null);
                    assertClose(full, cached, model.name() + (training ? " dropout on" : " dropout off"));
                }
                // control: ordinary dropout reseeded per chunk (no keys) does not reproduce the full batch
                Engine.getInstance().setRandomSeed(5);
                Map<String, float[]> full = fullBatch(model, pick(ids, order), true, null);
                Map<String, float[]> perChunkSeeds = gradCache(model, ids, chunks, true, null, new int[] {5, 6});
                assertTrue(relativeDiff(full, perChunkSeeds) > 1e-3, "unkeyed chunks must differ: "
                        + relativeDiff(full, perChunkSeeds));
            }
        }
    }

    /** A loss that is not linear in the embeddings: GradCache's first pass must match its replay. */
    private static NDArray loss(NDArray e) {
        NDManager m = e.getManager();
        Random r = new Random(77);
        float[] v = new float[Math.toIntExact(e.getShape().get(1))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        NDArray vec = m.create(v);
        NDArray sims = e.matMul(e.transpose()).div(Scalars.of(e, 0.05));
        return sims.exp().sum().log().add(e.matMul(vec).sum());
    }

    private static Map<String, float[]> fullBatch(BgeModel model, long[][] ids, boolean training, long[] keys) {
        Map<String, NDArray> params = model.parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        try (NDManager m = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss(model.embed(m, ids, training, keys)));
        }
        return takeGradients(params);
    }

    /** GradCache: embed chunks without a graph, take dL/dE, replay each chunk with a graph and back-propagate E·dL/dE. */
    private static Map<String, float[]> gradCache(BgeModel model, long[][] ids, int[][] chunks, boolean training,
            long[] keys, int[] chunkSeeds) {
        Map<String, NDArray> params = model.parameters();
        params.values().forEach(p -> p.setRequiresGradient(true));
        try (NDManager m = model.manager().newSubManager()) {
            NDList parts = new NDList();
            for (int c = 0; c < chunks.length; c++) {
                if (chunkSeeds != null) {
                    Engine.getInstance().setRandomSeed(chunkSeeds[c]);
                }
                float[][] e = embed(model, pick(ids, chunks[c]), training, keys == null ? null : pick(keys, chunks[c]));
                float[] flat = new float[e.length * e[0].length];
                for (int i = 0; i < e.length; i++) {
                    System.arraycopy(e[i], 0, flat, i * e[0].length, e[0].length);
                }
                parts.add(m.create(flat, new Shape(e.length, e[0].length)));
            }
            NDArray all = NDArrays.concat(parts, 0);
            all.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss(all));
            }
            NDArray g = all.getGradient();
            long start = 0;
            for (int c = 0; c < chunks.length; c++) {
                if (chunkSeeds != null) {
                    Engine.getInstance().setRandomSeed(chunkSeeds[c]);
                }
                try (NDManager cm = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray e = model.embed(cm, pick(ids, chunks[c]), training,
                            keys == null ? null : pick(keys, chunks[c]));
                    NDArray gc1 = g.get(start + ":" + (start + chunks[c].length)).duplicate();
                    gc1.attach(cm);
                    gc.backward(e.mul(gc1).sum());
                }
                start += chunks[c].length;
            }
        }
        return takeGradients(params);
    }

    private static Map<String, float[]> takeGradients(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
                g.muli(0);
            }
            e.getValue().setRequiresGradient(false);
        }
        return out;
    }

    private static double relativeDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double num = 0;
        double den = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                num += (x[i] - y[i]) * (double) (x[i] - y[i]);
                den += x[i] * (double) x[i];
            }
        }
        return Math.sqrt(num / den);
    }

    private static void assertClose(Map<String, float[]> full, Map<String, float[]> cached, String what) {
        assertEquals(full.keySet(), cached.keySet());
        double rel = relativeDiff(full, cached);
        assertTrue(rel <= 1e-5, what + ": relative gradient difference " + rel);
        double norm = 0;
        for (String k : full.keySet()) {
            float[] x = full.get(k);
            float[] y = cached.get(k);
            double scale = 0;
            for (float v : x) {
                scale = Math.max(scale, Math.abs(v));
                norm += v * (double) v;
            }
            assertTrue(maxDiff(x, y) <= 1e-5 * scale + 1e-9, what + ", " + k + ": " + maxDiff(x, y) + " vs max " + scale);
        }
        assertTrue(norm > 0, what + ": gradients must not vanish");
    }

    @Test
    void nullKeysKeepOrdinaryDropout() {
        try (BgeModel model = TinyModels.bert(TEXTS, 14, 0.1)) {
            long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
            Engine.getInstance().setRandomSeed(1234);
            float[][] threeArg;
            try (NDManager m = model.manager().newSubManager()) {
                threeArg = rows(model.embed(m, ids, true));
            }
            Engine.getInstance().setRandomSeed(1234);
            float[][] nullKeys = embed(model, ids, true, null);
            Engine.getInstance().setRandomSeed(1234);
            float[][] fourArgEncoder;
            try (NDManager m = model.manager().newSubManager()) {
                NDArray[] in = BgeEmbedder.pad(m, ids, model.config().padTokenId());
                NDArray cls = Pooling.normalize(Pooling.CLS.pool(model.encoder().forward(in[0], in[1], null, true), in[1]));
                fourArgEncoder = rows(cls);
            }
            Engine.getInstance().setRandomSeed(4321);
            float[][] otherSeed = embed(model, ids, true, null);
            float[][] keyed = embed(model, ids, true, keys(ids, 1234, 0));
            for (int i = 0; i < ids.length; i++) {
                assertArrayEquals(threeArg[i], nullKeys[i], "text " + i);
                assertArrayEquals(threeArg[i], fourArgEncoder[i], "text " + i);
                assertTrue(maxDiff(threeArg[i], otherSeed[i]) > 1e-3, "the engine seed drives unkeyed dropout");
                assertTrue(maxDiff(threeArg[i], keyed[i]) > 1e-3, "keys replace the engine stream");
            }
        }
    }

    @Test
    void maskHasTheRateScaleAndPaddingAndDependsOnlyOnKeySiteAndLength() {
        try (NDManager m = NDManager.newBaseManager()) {
            double rate = 0.25;
            float keep = 1f;
            long[] keys = {101, 202, 303};
            BertEncoder.KeyedDropout d = new BertEncoder.KeyedDropout(keys, new int[] {40, 17, 0});
            float[] hidden = d.mask(m, new Shape(3, 40, 64), rate, 4, false).toType(DataType.FLOAT32, false).toFloatArray();
            int zeros = 0;
            for (int i = 0; i < 3; i++) {
                int len = new int[] {40, 17, 0}[i];
                for (int t = 0; t < 40; t++) {
                    for (int h = 0; h < 64; h++) {
                        float v = hidden[(i * 40 + t) * 64 + h];
                        if (t >= len) {
                            assertEquals(keep, v, 0f, "padding is kept");
                        } else {
                            assertTrue(v == 0f || v == keep, "value " + v);
                            zeros += i == 0 && v == 0f ? 1 : 0;
                        }
                    }
                }
            }
            double frac = zeros / (40.0 * 64);
            assertEquals(rate, frac, 0.035, "drop fraction over 2560 draws");
            // row 1 drawn alone at its own length gives the same block
            float[] alone = new BertEncoder.KeyedDropout(new long[] {202}, new int[] {17})
                    .mask(m, new Shape(1, 17, 64), rate, 4, false).toType(DataType.FLOAT32, false).toFloatArray();
            assertArrayEquals(alone, Arrays.copyOfRange(hidden, 40 * 64, 40 * 64 + 17 * 64));
            float[] otherSite = new BertEncoder.KeyedDropout(new long[] {202}, new int[] {17})
                    .mask(m, new Shape(1, 17, 64), rate, 5, false).toType(DataType.FLOAT32, false).toFloatArray();
            assertNotEquals(Arrays.toString(alone), Arrays.toString(otherSite), "sites draw different masks");
            // attention probabilities: [heads, len, len] per row
            NDArray att = d.mask(m, new Shape(3, 2, 40, 40), rate, 1, true).toType(DataType.FLOAT32, false);
            NDArray attAlone = new BertEncoder.KeyedDropout(new long[] {202}, new int[] {17})
                    .mask(m, new Shape(1, 2, 17, 17), rate, 1, true).toType(DataType.FLOAT32, false);
            assertArrayEquals(attAlone.toFloatArray(), att.get(new NDIndex("1:2, :, :17, :17")).toFloatArray());
            assertEquals(2 * 40 * 40 - 2 * 17 * 17, (long) att.get(new NDIndex("1")).eq(keep).sum().getLong()
                    - (long) att.get(new NDIndex("1, :, :17, :17")).eq(keep).sum().getLong(), "padding kept");
        }
    }

    @Test
    void dropoutKeyDependsOnSeedStepAndEveryToken() {
        long[] ids = {2, 17, 9, 3};
        long k = BertEncoder.dropoutKey(1, 2, ids);
        assertEquals(k, BertEncoder.dropoutKey(1, 2, ids.clone()));
        List<Long> others = new ArrayList<>(List.of(BertEncoder.dropoutKey(2, 2, ids), BertEncoder.dropoutKey(1, 3, ids),
                BertEncoder.dropoutKey(1, 2, new long[] {2, 9, 17, 3}), BertEncoder.dropoutKey(1, 2, new long[] {2, 17, 9}),
                BertEncoder.dropoutKey(1, 2, new long[] {2, 17, 9, 3, 0}), BertEncoder.dropoutKey(1, 2, new long[] {2, 17, 10, 3})));
        for (long o : others) {
            assertNotEquals(k, o);
        }
        assertEquals(others.size(), others.stream().distinct().count());
    }

    @Test
    void badKeysOrLeftPaddingAreRefusedWithAClearMessage() {
        try (BgeModel model = TinyModels.bert(TEXTS, 15, 0.1); NDManager m = model.manager().newSubManager()) {
            long[][] ids = model.tokenizer().encode(TEXTS.subList(0, 2), model.maxLength());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.embed(m, ids, true, new long[] {1}));
            assertTrue(e.getMessage().contains("1 keys for 2 texts"), e.getMessage());
            NDArray idsArr = m.create(new long[] {0, 2, 7, 3}, new Shape(1, 4));
            NDArray leftPadded = m.create(new long[] {0, 1, 1, 1}, new Shape(1, 4));
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.encoder().forward(idsArr, leftPadded, null, true, new long[] {1}));
            assertTrue(e.getMessage().contains("right padding"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.encoder().forward(idsArr, leftPadded.onesLike(), null, true, new long[] {1, 2}));
            assertTrue(e.getMessage().contains("2 keys for a batch of 1"), e.getMessage());
        }
    }
}
