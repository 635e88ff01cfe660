package io.bge4j.spark;

import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.Exclusions;
import io.bge4j.core.search.SearchHits;
import io.bge4j.data.sampling.TopKSearcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Exact top-k inner-product search with the corpus spread over Spark tasks: queries × corpus
 * chunks. Each task runs bge-core's {@link ExactSearch} over one chunk of {@code chunkSize}
 * consecutive corpus rows against a broadcast block of queries, and the per-chunk top-k lists are
 * merged (tree aggregate) into the global top-k by (score descending, corpus position ascending).
 *
 * <p>The chunks are the ones single-node {@link ExactSearch} forms with the same
 * {@code chunkSize} and {@code queryBatchSize}: every score is the same matrix product on the same
 * rows, and the merge keeps ExactSearch's tie order, so the hits equal single-node hits (positions
 * and scores; tested; query blocks are whole query batches for the same reason: the engine's
 * matrix product can round differently for a different number of rows). Memory per task: one chunk ({@code chunkSize × d × 4} bytes, twice while
 * it is copied to native memory), the query block ({@code queryBlockSize × d × 4}), one score
 * matrix ({@code queryBatchSize × chunkSize × 4}) and the block's heaps
 * ({@code queryBlockSize × k × 8}); see docs/spark.md.
 *
 * <p>Implements bge-data's {@link TopKSearcher}, so it plugs into {@code DenseNegativeMiner} and
 * {@code DynamicNegativeSampler}. Immutable; the session is used, not owned.
 *
 * <p>Usage:
 * <pre>{@code
 * SparkExactSearch search = SparkExactSearch.builder(spark).chunkSize(50_000).build();
 * List<SearchHits> hits = search.search(queries, corpus, 100);
 * }</pre>
 */
public final class SparkExactSearch implements TopKSearcher {
    private static final Logger LOG = LoggerFactory.getLogger(SparkExactSearch.class);

    /** Default queries per broadcast block (80 query batches of 128). */
    public static final int DEFAULT_QUERY_BLOCK_SIZE = 10_240;

    private final SparkSession spark;
    private final int chunkSize;
    private final int queryBatchSize;
    private final int queryBlockSize;

    private SparkExactSearch(Builder b) {
        this.spark = b.spark;
        this.chunkSize = b.chunkSize;
        this.queryBatchSize = b.queryBatchSize;
        this.queryBlockSize = b.queryBlockSize;
    }

    /**
     * @param spark the session whose cluster runs the search
     * @return a builder: chunk size and query batch as {@link ExactSearch}'s defaults (50,000 and
     *     128), query blocks of 10,240
     */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /** @return corpus rows per task */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus, int k) {
        return search(queries, corpus, k, Exclusions.none());
    }

    /**
     * Searches a corpus held by the driver (it is cut into chunks and shipped with the tasks).
     *
     * @param queries query vectors
     * @param corpus corpus vectors, same dimension
     * @param k hits per query, at least 1
     * @param exclusions corpus rows never returned for a query
     * @return one hit list per query, best first, in query order
     */
    public List<SearchHits> search(EmbeddingMatrix queries, EmbeddingMatrix corpus, int k, Exclusions exclusions) {
        checkArguments(queries, k, exclusions);
        if (queries.rows() > 0 && corpus.rows() > 0 && queries.dimension() != corpus.dimension()) {
            throw new IllegalArgumentException("query dimension " + queries.dimension() + " differs from corpus dimension "
                    + corpus.dimension() + "; encode both with the same model");
        }
        List<CorpusChunk> chunks = new ArrayList<>();
        int d = corpus.dimension();
        for (int start = 0; start < corpus.rows(); start += chunkSize) {
            int rows = Math.min(chunkSize, corpus.rows() - start);
            int[] pos = new int[rows];
            for (int i = 0; i < rows; i++) {
                pos[i] = start + i;
            }
            float[] flat = new float[rows * d];
            corpus.copyRows(start, rows, java.nio.FloatBuffer.wrap(flat));
            chunks.add(new CorpusChunk(pos, flat, d));
        }
        if (chunks.isEmpty() || queries.rows() == 0) {
            return PartialHits.empty(queries.rows()).toHits();
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return searchChunks(jsc.parallelize(chunks, chunks.size()), queries, k, exclusions);
    }

    /**
     * Searches a corpus that lives in a DataFrame (for example the output of
     * {@link BgeEmbeddingTransformer}); its vectors never reach the driver. Rows are grouped into
     * chunks by {@code position / chunkSize}; with positions 0..n-1 the chunks, and so the hits,
     * are the same as for {@link #search(EmbeddingMatrix, EmbeddingMatrix, int, Exclusions)}.
     *
     * @param queries query vectors
     * @param corpus the corpus rows
     * @param positionCol an int or long column: the row's corpus position (unique, &gt;= 0)
     * @param vectorCol an {@code array<float>}, {@code array<double>} or ML vector column
     * @param k hits per query
     * @param exclusions positions never returned for a query
     * @return one hit list per query, best first, in query order; positions are {@code positionCol} values
     */
    public List<SearchHits> search(EmbeddingMatrix queries, Dataset<Row> corpus, String positionCol, String vectorCol,
            int k, Exclusions exclusions) {
        checkArguments(queries, k, exclusions);
        Objects.requireNonNull(corpus, "corpus");
        for (String c : new String[] {positionCol, vectorCol}) {
            if (c == null || !Arrays.asList(corpus.columns()).contains(c)) {
                throw new IllegalArgumentException("column '" + c + "' is not in the corpus; its columns are "
                        + Arrays.toString(corpus.columns()));
            }
        }
        final int size = chunkSize;
        JavaRDD<CorpusChunk> chunks = corpus.select(positionCol, vectorCol).javaRDD()
                .mapToPair(r -> {
                    long p = ((Number) r.get(0)).longValue();
                    if (p < 0 || p > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("corpus position " + p + " in column '" + positionCol
                                + "' is outside [0, " + Integer.MAX_VALUE + "]");
                    }
                    return new Tuple2<>(p / size, new Tuple2<>((int) p, vectorOf(r, 1, vectorCol)));
                })
                .groupByKey()
                .map(g -> toChunk(g._2()));
        return searchChunks(chunks, queries, k, exclusions);
    }

    private void checkArguments(EmbeddingMatrix queries, int k, Exclusions exclusions) {
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(exclusions, "exclusions");
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, was " + k);
        }
    }

    private List<SearchHits> searchChunks(JavaRDD<CorpusChunk> chunks, EmbeddingMatrix queries, int k,
            Exclusions exclusions) {
        int nq = queries.rows();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        boolean persisted = nq > queryBlockSize;
        if (persisted) {
            chunks.persist(StorageLevel.MEMORY_AND_DISK());
        }
        long t0 = System.nanoTime();
        try {
            List<SearchHits> out = new ArrayList<>(nq);
            for (int from = 0; from < nq; from += queryBlockSize) {
                int rows = Math.min(queryBlockSize, nq - from);
                float[] flat = new float[rows * queries.dimension()];
                queries.copyRows(from, rows, java.nio.FloatBuffer.wrap(flat));
                int[][] excluded = new int[rows][];
                for (int q = 0; q < rows; q++) {
                    int[] e = exclusions.excludedPositions(from + q).clone();
                    Arrays.sort(e);
                    excluded[q] = e;
                }
                Broadcast<QueryBlock> block = jsc.broadcast(new QueryBlock(flat, queries.dimension(), excluded));
                try {
                    final int kk = k;
                    final int qb = queryBatchSize;
                    PartialHits merged = chunks
                            .map(c -> searchChunk(c, block.value(), kk, qb))
                            .treeAggregate(PartialHits.empty(rows), (a, b) -> PartialHits.merge(a, b, kk),
                                    (a, b) -> PartialHits.merge(a, b, kk));
                    out.addAll(merged.toHits());
                } finally {
                    block.destroy();
                }
            }
            LOG.info("spark exact search: {} queries, top {} in {} ms", nq, k, (System.nanoTime() - t0) / 1_000_000);
            return out;
        } finally {
            if (persisted) {
                chunks.unpersist(false);
            }
        }
    }

    /** Runs ExactSearch over one chunk and maps its rows back to corpus positions. */
    static PartialHits searchChunk(CorpusChunk c, QueryBlock block, int k, int queryBatchSize) {
        int[] positions = c.positions();
        int n = positions.length;
        int nq = block.excluded().length;
        if (n == 0) {
            return PartialHits.empty(nq);
        }
        if (c.dimension() != block.dimension()) {
            throw new IllegalArgumentException("query dimension " + block.dimension() + " differs from corpus dimension "
                    + c.dimension() + "; encode both with the same model");
        }
        int[][] local = new int[nq][];
        for (int q = 0; q < nq; q++) {
            int[] ex = block.excluded()[q];
            int m = 0;
            int[] tmp = new int[ex.length];
            for (int p : ex) {
                int i = Arrays.binarySearch(positions, p);
                if (i >= 0) {
                    tmp[m++] = i;
                }
            }
            local[q] = Arrays.copyOf(tmp, m);
        }
        ExactSearch search = ExactSearch.builder().k(k).chunkSize(n).queryBatchSize(queryBatchSize).build();
        List<SearchHits> hits = search.search(EmbeddingMatrix.wrap(block.queries(), block.dimension()),
                EmbeddingMatrix.wrap(c.vectors(), c.dimension()), q -> local[q]);
        int[][] pos = new int[nq][];
        float[][] sc = new float[nq][];
        for (int q = 0; q < nq; q++) {
            SearchHits h = hits.get(q);
            int[] p = new int[h.size()];
            for (int j = 0; j < p.length; j++) {
                p[j] = positions[h.positions()[j]];
            }
            pos[q] = p;
            sc[q] = h.scores();
        }
        return new PartialHits(pos, sc);
    }

    private static CorpusChunk toChunk(Iterable<Tuple2<Integer, float[]>> rows) {
        List<Tuple2<Integer, float[]>> list = new ArrayList<>();
        rows.forEach(list::add);
        list.sort((a, b) -> Integer.compare(a._1(), b._1()));
        int d = list.isEmpty() ? 0 : list.get(0)._2().length;
        int[] pos = new int[list.size()];
        float[] flat = new float[list.size() * d];
        for (int i = 0; i < list.size(); i++) {
            pos[i] = list.get(i)._1();
            if (i > 0 && pos[i] == pos[i - 1]) {
                throw new IllegalArgumentException("corpus position " + pos[i] + " occurs twice; positions must be unique");
            }
            float[] v = list.get(i)._2();
            if (v.length != d) {
                throw new IllegalArgumentException("corpus vectors have different dimensions (" + d + " and " + v.length
                        + " at position " + pos[i] + ")");
            }
            System.arraycopy(v, 0, flat, i * d, d);
        }
        return new CorpusChunk(pos, flat, d);
    }

    /** Reads a vector cell: array of float or double, or an ML vector. */
    static float[] vectorOf(Row r, int i, String col) {
        Object o = r.get(i);
        if (o == null) {
            throw new IllegalArgumentException("column '" + col + "' is null in a corpus row; every row needs a vector");
        }
        if (o instanceof Vector v) {
            double[] d = v.toArray();
            float[] f = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                f[j] = (float) d[j];
            }
            return f;
        }
        List<Object> list = r.getList(i);
        float[] f = new float[list.size()];
        for (int j = 0; j < f.length; j++) {
            f[j] = ((Number) list.get(j)).floatValue();
        }
        return f;
    }

    /**
     * Options of a {@link SparkExactSearch}; {@link #build()} validates them and names the bad one.
     *
     * <p>Usage: {@code SparkExactSearch.builder(spark).chunkSize(20_000).queryBlockSize(5_000).build()}
     */
    public static final class Builder {
        private final SparkSession spark;
        private int chunkSize = ExactSearch.DEFAULT_CHUNK_SIZE;
        private int queryBatchSize = ExactSearch.DEFAULT_QUERY_BATCH_SIZE;
        private int queryBlockSize = DEFAULT_QUERY_BLOCK_SIZE;

        private Builder(SparkSession spark) {
            this.spark = spark;
        }

        /**
         * @param rows corpus rows per task (and per matrix product), at least 1
         * @return this builder
         */
        public Builder chunkSize(int rows) {
            this.chunkSize = rows;
            return this;
        }

        /**
         * @param rows query rows per matrix product, at least 1 (as {@link ExactSearch.Builder#queryBatchSize})
         * @return this builder
         */
        public Builder queryBatchSize(int rows) {
            this.queryBatchSize = rows;
            return this;
        }

        /**
         * @param rows queries broadcast together (one Spark job each); a multiple of the query batch
         *     size, so that the matrix products are the ones single-node ExactSearch computes
         * @return this builder
         */
        public Builder queryBlockSize(int rows) {
            this.queryBlockSize = rows;
            return this;
        }

        /**
         * @return the search
         * @throws IllegalArgumentException naming the bad option
         */
        public SparkExactSearch build() {
            if (spark == null) {
                throw new IllegalArgumentException("spark session must not be null");
            }
            if (chunkSize < 1) {
                throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
            }
            if (queryBatchSize < 1) {
                throw new IllegalArgumentException("queryBatchSize must be at least 1, was " + queryBatchSize);
            }
            if (queryBlockSize < 1) {
                throw new IllegalArgumentException("queryBlockSize must be at least 1, was " + queryBlockSize);
            }
            if (queryBlockSize % queryBatchSize != 0) {
                throw new IllegalArgumentException("queryBlockSize (" + queryBlockSize + ") must be a multiple of "
                        + "queryBatchSize (" + queryBatchSize + ") so that each query batch is the one single-node "
                        + "ExactSearch multiplies");
            }
            return new SparkExactSearch(this);
        }
    }
}
