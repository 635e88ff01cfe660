package io.bge4j.eval;

import io.bge4j.core.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in for a real model: bag of lower-cased words hashed into {@code dim} buckets,
 * L2-normalised. Records what it was asked to encode.
 */
final class HashingEmbedder implements Embedder {
    final int dim;
    final String queryPrefix;
    final List<List<String>> queryCalls = new ArrayList<>();
    final List<List<String>> corpusCalls = new ArrayList<>();

    HashingEmbedder(int dim, String queryPrefix) {
        this.dim = dim;
        this.queryPrefix = queryPrefix;
    }

    static float[] embed(String text, int dim) {
        float[] v = new float[dim];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), dim)] += 1f;
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    @Override
    public float[][] encodeQueries(List<String> queries) {
        queryCalls.add(List.copyOf(queries));
        float[][] out = new float[queries.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = embed(queryPrefix + queries.get(i), dim);
        }
        return out;
    }

    @Override
    public float[][] encodeCorpus(List<String> documents) {
        corpusCalls.add(List.copyOf(documents));
        return encode(documents);
    }

    @Override
    public float[][] encode(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = embed(texts.get(i), dim);
        }
        return out;
    }

    @Override
    public int dimension() {
        return dim;
    }

    @Override
    public String fingerprint() {
        return "hashing-bow-" + dim;
    }

    @Override
    public void close() {
    }
}
