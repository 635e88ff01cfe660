package io.bge4j.core;

import io.bge4j.core.weights.TensorData;
import java.util.Map;

/**
 * A deliberately plain, double-precision, one-text-at-a-time BERT/XLM-R forward written from the
 * transformers definition, sharing no code with {@link io.bge4j.core.nn.BertEncoder}: the independent
 * reference for the tiny-model tests.
 */
final class NaiveBert {
    private final EncoderConfig c;
    private final Map<String, TensorData> w;

    NaiveBert(EncoderConfig c, Map<String, TensorData> w) {
        this.c = c;
        this.w = w;
    }

    /** @return the CLS vector of the last layer for one unpadded sequence */
    double[] cls(long[] ids) {
        int t = ids.length;
        int h = c.hiddenSize();
        double[][] x = new double[t][h];
        for (int i = 0; i < t; i++) {
            int pos = c.isXlmRoberta() ? c.padTokenId() + 1 + i : i;
            for (int j = 0; j < h; j++) {
                x[i][j] = at("embeddings.word_embeddings.weight", (int) ids[i], j)
                        + at("embeddings.position_embeddings.weight", pos, j)
                        + at("embeddings.token_type_embeddings.weight", 0, j);
            }
        }
        x = norm(x, "embeddings.LayerNorm");
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "encoder.layer." + l + ".";
            double[][] q = lin(x, p + "attention.self.query");
            double[][] k = lin(x, p + "attention.self.key");
            double[][] v = lin(x, p + "attention.self.value");
            int hs = c.headSize();
            double[][] ctx = new double[t][h];
            for (int head = 0; head < c.numAttentionHeads(); head++) {
                int off = head * hs;
                for (int i = 0; i < t; i++) {
                    double[] s = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        double d = 0;
                        for (int e = 0; e < hs; e++) {
                            d += q[i][off + e] * k[j][off + e];
                        }
                        s[j] = d / Math.sqrt(hs);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        z += s[j];
                    }
                    for (int j = 0; j < t; j++) {
                        for (int e = 0; e < hs; e++) {
                            ctx[i][off + e] += s[j] / z * v[j][off + e];
                        }
                    }
                }
            }
            double[][] a = add(lin(ctx, p + "attention.output.dense"), x);
            double[][] h1 = norm(a, p + "attention.output.LayerNorm");
            double[][] inter = lin(h1, p + "intermediate.dense");
            for (double[] row : inter) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = 0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2)));
                }
            }
            x = norm(add(lin(inter, p + "output.dense"), h1), p + "output.LayerNorm");
        }
        return x[0];
    }

    private double at(String name, int row, int col) {
        TensorData td = w.get(name);
        return td.data()[row * (int) td.shape()[1] + col];
    }

    private double[][] lin(double[][] x, String prefix) {
        TensorData wt = w.get(prefix + ".weight");
        TensorData b = w.get(prefix + ".bias");
        int out = (int) wt.shape()[0];
        int in = (int) wt.shape()[1];
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b.data()[o];
                for (int j = 0; j < in; j++) {
                    s += x[i][j] * wt.data()[o * in + j];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private double[][] norm(double[][] x, String prefix) {
        float[] g = w.get(prefix + ".weight").data();
        float[] b = w.get(prefix + ".bias").data();
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + c.layerNormEps()) * g[j] + b[j];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }

    /** erf by its Maclaurin series / continued-fraction-free high-precision approximation (|err| < 1e-15 for |x| < 6). */
    static double erf(double x) {
        if (Math.abs(x) > 6) {
            return Math.signum(x);
        }
        // Series: erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); converges for all x, fine below 6
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
