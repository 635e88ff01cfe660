package io.bge4j.spark;

import io.bge4j.core.search.SearchHits;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The best {@code k} hits of every query of a query block over part of the corpus, ordered by
 * (score descending, corpus position ascending) — the order {@link io.bge4j.core.search.ExactSearch}
 * uses. Two partial lists merge into the top-k of their union; because that order is total, the
 * result does not depend on the order in which partitions are merged. A plain class (not a record)
 * so that Kryo can rebuild it.
 */
final class PartialHits implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[][] positions;
    private final float[][] scores;

    PartialHits(int[][] positions, float[][] scores) {
        this.positions = positions;
        this.scores = scores;
    }

    static PartialHits empty(int queries) {
        int[][] p = new int[queries][];
        float[][] s = new float[queries][];
        for (int i = 0; i < queries; i++) {
            p[i] = new int[0];
            s[i] = new float[0];
        }
        return new PartialHits(p, s);
    }

    static boolean better(float s1, int p1, float s2, int p2) {
        int c = Float.compare(s1, s2);
        return c > 0 || (c == 0 && p1 < p2);
    }

    /** @return the top-k of the union of both, per query */
    static PartialHits merge(PartialHits a, PartialHits b, int k) {
        int nq = a.positions.length;
        int[][] pos = new int[nq][];
        float[][] sc = new float[nq][];
        for (int q = 0; q < nq; q++) {
            int[] pa = a.positions[q];
            float[] sa = a.scores[q];
            int[] pb = b.positions[q];
            float[] sb = b.scores[q];
            int total = Math.min(k, pa.length + pb.length);
            int[] p = new int[total];
            float[] s = new float[total];
            int i = 0;
            int j = 0;
            for (int t = 0; t < total; t++) {
                boolean takeA = j >= pb.length || (i < pa.length && better(sa[i], pa[i], sb[j], pb[j]));
                if (takeA) {
                    p[t] = pa[i];
                    s[t] = sa[i++];
                } else {
                    p[t] = pb[j];
                    s[t] = sb[j++];
                }
            }
            pos[q] = p;
            sc[q] = s;
        }
        return new PartialHits(pos, sc);
    }

    List<SearchHits> toHits() {
        List<SearchHits> out = new ArrayList<>(positions.length);
        for (int q = 0; q < positions.length; q++) {
            out.add(new SearchHits(positions[q], scores[q]));
        }
        return out;
    }
}
