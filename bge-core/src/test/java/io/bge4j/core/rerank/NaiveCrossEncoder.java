package io.bge4j.core.rerank;

import io.bge4j.core.EncoderConfig;
import io.bge4j.core.weights.TensorData;
import java.util.Map;

/**
 * A plain, double-precision, one-pair-at-a-time forward of HF's BertForSequenceClassification /
 * XLMRobertaForSequenceClassification written from the transformers definition, sharing no code with
 * {@link CrossEncoder} or the encoder blocks: the independent reference for the parity tests.
 */
final class NaiveCrossEncoder {
    private final EncoderConfig c;
    private final Map<String, TensorData> w;
    private final String prefix;

    NaiveCrossEncoder(EncoderConfig c, Map<String, TensorData> weights) {
        this.c = c;
        this.w = weights;
        this.prefix = c.isXlmRoberta() ? "roberta." : "bert.";
    }

    double score(long[] ids, long[] types) {
        double[] h = firstToken(ids, types);
        if (c.isXlmRoberta()) {
            double[] z = tanh(lin(h, "classifier.dense"));
            return lin(z, "classifier.out_proj")[0];
        }
        double[] pooled = tanh(lin(h, prefix + "pooler.dense"));
        return lin(pooled, "classifier")[0];
    }

    private double[] firstToken(long[] ids, long[] types) {
        int t = ids.length;
        int hsz = c.hiddenSize();
        double[][] x = new double[t][hsz];
        for (int i = 0; i < t; i++) {
            int pos = c.isXlmRoberta() ? c.padTokenId() + 1 + i : i;
            for (int j = 0; j < hsz; j++) {
                x[i][j] = at(prefix + "embeddings.word_embeddings.weight", (int) ids[i], j)
                        + at(prefix + "embeddings.position_embeddings.weight", pos, j)
                        + at(prefix + "embeddings.token_type_embeddings.weight", (int) types[i], j);
            }
        }
        x = norm(x, prefix + "embeddings.LayerNorm");
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = prefix + "encoder.layer." + l + ".";
            double[][] q = lin(x, p + "attention.self.query");
            double[][] k = lin(x, p + "attention.self.key");
            double[][] v = lin(x, p + "attention.self.value");
            int hs = c.headSize();
            double[][] ctx = new double[t][hsz];
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
            double[][] h1 = norm(add(lin(ctx, p + "attention.output.dense"), x), p + "attention.output.LayerNorm");
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

    private double[] lin(double[] x, String name) {
        return lin(new double[][] {x}, name)[0];
    }

    private double[][] lin(double[][] x, String name) {
        TensorData wt = w.get(name + ".weight");
        TensorData b = w.get(name + ".bias");
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

    private static double[] tanh(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.tanh(x[i]);
        }
        return y;
    }

    private double[][] norm(double[][] x, String name) {
        float[] g = w.get(name + ".weight").data();
        float[] b = w.get(name + ".bias").data();
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

    /** erf by its Maclaurin series (accurate to ~1e-15 for |x| < 6). */
    static double erf(double x) {
        if (Math.abs(x) > 6) {
            return Math.signum(x);
        }
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
