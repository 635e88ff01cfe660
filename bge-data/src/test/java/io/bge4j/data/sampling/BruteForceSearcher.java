package io.bge4j.data.sampling;

import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.SearchHits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Pure-Java exact search for tests: (score desc, position asc), like bge-core's ExactSearch. */
final class BruteForceSearcher implements TopKSearcher {

    static float score(float[] q, EmbeddingMatrix c, int row) {
        float s = 0;
        for (int j = 0; j < q.length; j++) {
            s += q[j] * c.get(row, j);
        }
        return s;
    }

    @Override
    public List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus, int k) {
        List<SearchHits> out = new ArrayList<>();
        for (int i = 0; i < queries.rows(); i++) {
            float[] q = queries.row(i);
            float[] s = new float[corpus.rows()];
            for (int r = 0; r < s.length; r++) {
                s[r] = score(q, corpus, r);
            }
            int[] top = IntStream.range(0, s.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(r -> -s[r]).thenComparingInt(r -> r))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            float[] sc = new float[top.length];
            for (int j = 0; j < top.length; j++) {
                sc[j] = s[top[j]];
            }
            out.add(new SearchHits(top, sc));
        }
        return out;
    }
}
