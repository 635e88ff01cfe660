package io.bge4j.data.sampling;

import io.bge4j.core.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in for a model: hashed bag-of-words vectors, L2-normalised, so texts
 * sharing words have a high inner product. Counts calls, so tests can check what was encoded.
 */
final class HashingEmbedder implements Embedder {
    private final int dim;
    final List<String> queryCalls = new ArrayList<>();
    int corpusCalls;

    HashingEmbedder(int dim) {
        this.dim = dim;
    }

    static float[] vector(String text, int dim) {
        float[] v = new float[dim];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.isEmpty()) {
                continue;
            }
            int h = w.hashCode() * 0x9E3779B1;
            v[Math.floorMod(h, dim)] += (h & 0x10000) == 0 ? 1f : -1f;
        }
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        if (n == 0) {
            v[0] = 1f; // empty text: a fixed unit vector
            return v;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < dim; i++) {
            v[i] *= inv;
        }
        return v;
    }

    private float[][] all(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector(texts.get(i), dim);
        }
        return out;
    }

    @Override
    public float[][] encodeQueries(List<String> queries) {
        queryCalls.addAll(queries);
        return all(queries);
    }

    @Override
    public float[][] encodeCorpus(List<String> documents) {
        corpusCalls++;
        return all(documents);
    }

    @Override
    public float[][] encode(List<String> texts) {
        queryCalls.addAll(texts);
        return all(texts);
    }

    @Override
    public int dimension() {
        return dim;
    }

    @Override
    public String fingerprint() {
        return "hashing-" + dim;
    }

    @Override
    public void close() {
    }
}
