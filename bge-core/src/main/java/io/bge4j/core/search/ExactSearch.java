package io.bge4j.core.search;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact top-k search by inner product (cosine for normalised vectors) over a corpus matrix.
 *
 * <p>The corpus is processed in chunks of {@link Builder#chunkSize(int)} rows and the queries in
 * batches of {@link Builder#queryBatchSize(int)} rows; each (batch, chunk) pair is one DJL matrix
 * product followed by a top-k, and the per-chunk winners are merged on the heap. Native memory is
 * therefore bounded by one chunk, one query batch and one {@code batch × chunk} score matrix,
 * whatever the corpus size; every NDArray lives in a sub-manager closed as soon as it is used.
 *
 * <p>Ranking is deterministic: equal scores are ordered by lower corpus position, also across
 * chunk boundaries (when the engine's top-k could have cut a tie, the row is re-ranked exactly).
 * Instances are immutable and thread-safe; each call opens and closes its own NDManager.
 *
 * <p>Usage:
 * <pre>{@code
 * ExactSearch search = ExactSearch.builder().k(100).build();
 * List<SearchHits> hits = search.search(EmbeddingMatrix.of(queryVectors), EmbeddingMatrix.of(docVectors));
 * }</pre>
 */
public final class ExactSearch {
    private static final Logger LOG = LoggerFactory.getLogger(ExactSearch.class);

    /** Default number of corpus rows per matrix product. */
    public static final int DEFAULT_CHUNK_SIZE = 50_000;
    /** Default number of query rows per matrix product. */
    public static final int DEFAULT_QUERY_BATCH_SIZE = 128;

    private final int k;
    private final int chunkSize;
    private final int queryBatchSize;
    private final Device device;

    private ExactSearch(Builder b) {
        this.k = b.k;
        this.chunkSize = b.chunkSize;
        this.queryBatchSize = b.queryBatchSize;
        this.device = b.device;
    }

    /** @return a builder with k = 10, chunk size 50,000 and query batch 128 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of hits per query */
    public int k() {
        return k;
    }

    /**
     * Convenience for {@code search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(corpus))}.
     *
     * @param queries one vector per query
     * @param corpus one vector per document
     * @return one {@link SearchHits} per query, in query order
     */
    public List<SearchHits> search(float[][] queries, float[][] corpus) {
        return search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(corpus), Exclusions.none());
    }

    /**
     * @param queries query vectors
     * @param corpus corpus vectors, same dimension
     * @return one {@link SearchHits} per query, in query order
     */
    public List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus) {
        return search(queries, corpus, Exclusions.none());
    }

    /**
     * @param queries query vectors
     * @param corpus corpus vectors, same dimension
     * @param exclusions corpus rows never returned for a query
     * @return one {@link SearchHits} per query, in query order; each has
     *     {@code min(k, corpus rows - excluded rows)} hits
     */
    public List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus, Exclusions exclusions) {
        int nq = queries.rows();
        int n = corpus.rows();
        if (nq > 0 && n > 0 && queries.dimension() != corpus.dimension()) {
            throw new IllegalArgumentException("query dimension " + queries.dimension()
                    + " differs from corpus dimension " + corpus.dimension()
                    + "; encode both with the same model");
        }
        int[][] excluded = new int[nq][];
        for (int q = 0; q < nq; q++) {
            int[] e = exclusions.excludedPositions(q).clone();
            Arrays.sort(e);
            excluded[q] = e;
        }
        TopK[] best = new TopK[nq];
        for (int q = 0; q < nq; q++) {
            best[q] = new TopK(k);
        }
        if (nq > 0 && n > 0) {
            run(queries, corpus, excluded, best);
        }
        List<SearchHits> out = new ArrayList<>(nq);
        for (TopK t : best) {
            out.add(t.toHits());
        }
        return out;
    }

    private void run(EmbeddingMatrix queries, EmbeddingMatrix corpus, int[][] excluded, TopK[] best) {
        int dim = corpus.dimension();
        int nq = queries.rows();
        int n = corpus.rows();
        int chunkRows = Math.min(chunkSize, n);
        int batchRows = Math.min(queryBatchSize, nq);
        ByteBuffer chunkBuffer = ByteBuffer
                .allocateDirect(Math.multiplyExact(Math.multiplyExact(chunkRows, dim), Float.BYTES))
                .order(ByteOrder.nativeOrder());
        ByteBuffer batchBuffer = ByteBuffer
                .allocateDirect(Math.multiplyExact(Math.multiplyExact(batchRows, dim), Float.BYTES))
                .order(ByteOrder.nativeOrder());
        long started = System.nanoTime();
        try (NDManager root = device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device)) {
            for (int chunkStart = 0; chunkStart < n; chunkStart += chunkRows) {
                int rows = Math.min(chunkRows, n - chunkStart);
                try (NDManager chunkManager = root.newSubManager()) {
                    fill(chunkBuffer, corpus, chunkStart, rows);
                    NDArray chunk = chunkManager.create(chunkBuffer, new Shape(rows, dim), DataType.FLOAT32);
                    NDArray chunkT = chunk.transpose();
                    for (int qStart = 0; qStart < nq; qStart += batchRows) {
                        int b = Math.min(batchRows, nq - qStart);
                        try (NDManager batchManager = chunkManager.newSubManager()) {
                            fill(batchBuffer, queries, qStart, b);
                            NDArray q = batchManager.create(batchBuffer, new Shape(b, dim), DataType.FLOAT32);
                            NDArray scores = q.matMul(chunkT);
                            mergeBatch(scores, qStart, b, chunkStart, rows, excluded, best);
                        }
                    }
                }
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("exact search: {} queries x {} docs (dim {}) in {} ms", nq, n, dim,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static void fill(ByteBuffer buffer, EmbeddingMatrix m, int from, int rows) {
        buffer.clear();
        buffer.limit(rows * m.dimension() * Float.BYTES);
        m.copyRows(from, rows, buffer.asFloatBuffer());
    }

    /** Merges the top entries of a {@code b × rows} score matrix into the running top-k lists. */
    private void mergeBatch(NDArray scores, int qStart, int b, int chunkStart, int rows,
                            int[][] excluded, TopK[] best) {
        int extra = 0;
        int[] excludedInChunk = new int[b];
        for (int i = 0; i < b; i++) {
            excludedInChunk[i] = countInRange(excluded[qStart + i], chunkStart, chunkStart + rows);
            extra = Math.max(extra, excludedInChunk[i]);
        }
        int kk = Math.min(rows, k + extra);
        // Ask for one more than needed: when the (kk+1)-th score equals the kk-th, equal scores straddle
        // the cut and the engine may not have kept the lowest positions, so that row is re-ranked exactly.
        int fetch = Math.min(rows, kk + 1);
        NDList top = scores.topK(fetch, 1, true, true);
        float[] topScores = top.get(0).toFloatArray();
        long[] topIndices = top.get(1).toLongArray();
        for (int i = 0; i < b; i++) {
            TopK target = best[qStart + i];
            int[] ex = excluded[qStart + i];
            int rowStart = i * fetch;
            boolean tieAtCut = fetch > kk && topScores[rowStart + kk] == topScores[rowStart + kk - 1];
            if (tieAtCut) {
                float[] row = scores.get(i).toFloatArray();
                target.offerAll(row, chunkStart, ex);
            } else {
                int[] pos = new int[kk];
                float[] sc = new float[kk];
                for (int j = 0; j < kk; j++) {
                    pos[j] = chunkStart + (int) topIndices[rowStart + j];
                    sc[j] = topScores[rowStart + j];
                }
                target.offer(pos, sc, ex);
            }
        }
    }

    private static int countInRange(int[] sorted, int from, int to) {
        int c = 0;
        for (int p : sorted) {
            if (p >= from && p < to) {
                c++;
            }
        }
        return c;
    }

    /** A bounded best-first list ordered by (score descending, position ascending). */
    private static final class TopK {
        private final int k;
        private int size;
        private int[] positions = new int[0];
        private float[] scores = new float[0];

        TopK(int k) {
            this.k = k;
        }

        static boolean better(float s1, int p1, float s2, int p2) {
            int c = Float.compare(s1, s2);
            return c > 0 || (c == 0 && p1 < p2);
        }

        /** Offers candidates in any order; merges them with the current list. */
        void offer(int[] pos, float[] sc, int[] excluded) {
            Integer[] order = new Integer[pos.length];
            int m = 0;
            for (int j = 0; j < pos.length; j++) {
                if (Arrays.binarySearch(excluded, pos[j]) < 0) {
                    order[m++] = j;
                }
            }
            Integer[] kept = Arrays.copyOf(order, m);
            Arrays.sort(kept, (a, b) -> better(sc[a], pos[a], sc[b], pos[b]) ? -1
                    : better(sc[b], pos[b], sc[a], pos[a]) ? 1 : 0);
            int total = Math.min(k, size + m);
            int[] newPos = new int[total];
            float[] newScores = new float[total];
            int i = 0;
            int j = 0;
            for (int t = 0; t < total; t++) {
                boolean takeOld = j >= m
                        || (i < size && better(scores[i], positions[i], sc[kept[j]], pos[kept[j]]));
                if (takeOld) {
                    newPos[t] = positions[i];
                    newScores[t] = scores[i];
                    i++;
                } else {
                    newPos[t] = pos[kept[j]];
                    newScores[t] = sc[kept[j]];
                    j++;
                }
            }
            positions = newPos;
            scores = newScores;
            size = total;
        }

        /** Exact selection over a whole chunk row (used only when ties straddle the cut). */
        void offerAll(float[] row, int offset, int[] excluded) {
            // a simple selection: keep the k best of this row, then merge
            int n = row.length;
            int m = Math.min(k + excluded.length, n);
            int[] pos = new int[m];
            float[] sc = new float[m];
            int filled = 0;
            for (int j = 0; j < n; j++) {
                int p = offset + j;
                float s = row[j];
                if (filled < m) {
                    int t = filled++;
                    while (t > 0 && better(s, p, sc[t - 1], pos[t - 1])) {
                        sc[t] = sc[t - 1];
                        pos[t] = pos[t - 1];
                        t--;
                    }
                    sc[t] = s;
                    pos[t] = p;
                } else if (better(s, p, sc[m - 1], pos[m - 1])) {
                    int t = m - 1;
                    while (t > 0 && better(s, p, sc[t - 1], pos[t - 1])) {
                        sc[t] = sc[t - 1];
                        pos[t] = pos[t - 1];
                        t--;
                    }
                    sc[t] = s;
                    pos[t] = p;
                }
            }
            offer(Arrays.copyOf(pos, filled), Arrays.copyOf(sc, filled), excluded);
        }

        SearchHits toHits() {
            return new SearchHits(Arrays.copyOf(positions, size), Arrays.copyOf(scores, size));
        }
    }

    /**
     * Options of an {@link ExactSearch}; {@link #build()} validates them.
     *
     * <p>Usage: {@code ExactSearch.builder().k(100).chunkSize(50_000).queryBatchSize(128).build()}
     */
    public static final class Builder {
        private int k = 10;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private int queryBatchSize = DEFAULT_QUERY_BATCH_SIZE;
        private Device device;

        private Builder() {
        }

        /**
         * @param k hits per query, at least 1
         * @return this builder
         */
        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /**
         * @param chunkSize corpus rows per matrix product, at least 1 (bounds native memory)
         * @return this builder
         */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /**
         * @param queryBatchSize query rows per matrix product, at least 1
         * @return this builder
         */
        public Builder queryBatchSize(int queryBatchSize) {
            this.queryBatchSize = queryBatchSize;
            return this;
        }

        /**
         * @param device where the products run; null (the default) means the engine's default device
         * @return this builder
         */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * @return the search
         * @throws IllegalArgumentException naming the bad option
         */
        public ExactSearch build() {
            if (k < 1) {
                throw new IllegalArgumentException("k must be at least 1, was " + k);
            }
            if (chunkSize < 1) {
                throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
            }
            if (queryBatchSize < 1) {
                throw new IllegalArgumentException("queryBatchSize must be at least 1, was " + queryBatchSize);
            }
            return new ExactSearch(this);
        }
    }
}
