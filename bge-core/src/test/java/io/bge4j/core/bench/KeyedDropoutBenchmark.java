package io.bge4j.core.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.nn.BertEncoder;
import java.util.Map;
import java.util.Random;

/**
 * Cost of per-text (keyed) dropout against ordinary dropout: one training forward + backward of a
 * batch of random-length texts, on the tiny test encoder and on a bge-small-sized random encoder.
 *
 * <p>Usage: {@code java -cp ... io.bge4j.core.bench.KeyedDropoutBenchmark 32 128 5} (batch, max tokens,
 * timed iterations); see docs/benchmarks.md.
 */
public final class KeyedDropoutBenchmark {

    private KeyedDropoutBenchmark() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int maxTokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int iters = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        EncoderConfig tiny = new EncoderConfig("bert", 64, 32, 2, 4, 64, 512, 2, 1e-12, 0, "gelu", 0.1, 0.1);
        EncoderConfig small = new EncoderConfig("bert", 30522, 384, 12, 12, 1536, 512, 2, 1e-12, 0, "gelu", 0.1, 0.1);
        for (EncoderConfig c : new EncoderConfig[] {tiny, small}) {
            run(c, batch, maxTokens, iters);
        }
    }

    private static void run(EncoderConfig c, int batch, int maxTokens, int iters) {
        try (NDManager pm = NDManager.newBaseManager()) {
            BertEncoder enc = new BertEncoder(c);
            enc.initializeRandom(pm, 1);
            Map<String, ?> names = enc.namedParameters();
            Random r = new Random(2);
            long[][] ids = new long[batch][];
            long[] keys = new long[batch];
            int total = 0;
            for (int i = 0; i < batch; i++) {
                ids[i] = new long[maxTokens / 4 + r.nextInt(maxTokens - maxTokens / 4 + 1)];
                for (int j = 0; j < ids[i].length; j++) {
                    ids[i][j] = 5 + r.nextInt(c.vocabSize() - 5);
                }
                keys[i] = BertEncoder.dropoutKey(3, 0, ids[i]);
                total += ids[i].length;
            }
            enc.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            double[] ms = new double[2];
            for (int mode = 0; mode < 2; mode++) {
                long[] k = mode == 1 ? keys : null;
                for (int it = -2; it < iters; it++) {
                    Engine.getInstance().setRandomSeed(it);
                    long t0 = System.nanoTime();
                    try (NDManager m = pm.newSubManager(); GradientCollector gc = Engine.getInstance()
                            .newGradientCollector()) {
                        NDArray[] in = BgeEmbedder.pad(m, ids, c.padTokenId());
                        NDArray h = enc.forward(in[0], in[1], null, true, k);
                        gc.backward(h.get(":, 0, :").sum());
                    }
                    if (it >= 0) {
                        ms[mode] += (System.nanoTime() - t0) / 1e6 / iters;
                    }
                    enc.namedParameters().values().forEach(p -> {
                        try (NDArray g = p.getArray().getGradient()) {
                            g.muli(0);
                        }
                    });
                }
            }
            System.out.printf("%s hidden %d, %d layers, batch %d (%d real tokens, padded to %d): ordinary dropout"
                    + " %.1f ms, keyed %.1f ms per forward+backward (%+.0f%%), %d parameters%n", c.modelType(),
                    c.hiddenSize(), c.numHiddenLayers(), batch, total, java.util.Arrays.stream(ids)
                            .mapToInt(a -> a.length).max().orElse(0), ms[0], ms[1], 100 * (ms[1] / ms[0] - 1),
                    names.size());
        }
    }
}
