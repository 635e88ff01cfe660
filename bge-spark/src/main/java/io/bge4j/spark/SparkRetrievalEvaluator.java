package io.bge4j.spark;

import io.bge4j.core.Embedder;
import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.Exclusions;
import io.bge4j.core.search.SearchHits;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricsCalculator;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.eval.TrecRunWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retrieval evaluation with the search on Spark: the judged queries (those of the qrels with a
 * text, as {@link RetrievalEvaluator} selects them) and the corpus are encoded by the given
 * embedder (a {@link SparkEmbedder} encodes on the cluster), the top-{@code depth} documents of
 * each query come from a {@link SparkExactSearch}, and the resulting TREC run is scored by
 * bge-eval's {@link MetricsCalculator}. With the same vectors and chunking this gives
 * {@link RetrievalEvaluator}'s numbers (tested to 1e-9); the run is always kept in the result and
 * can be written with {@link #writeTrecRun}.
 *
 * <p>Usage:
 * <pre>{@code
 * EvaluationResult r = SparkRetrievalEvaluator.builder(spark).dataset(BeirDataset.load(dir, "test")).build()
 *     .evaluate(SparkEmbedder.builder(spark).modelPath(modelDir).build());
 * SparkRetrievalEvaluator.writeTrecRun(r, Path.of("run.trec"), "bge4j");
 * }</pre>
 */
public final class SparkRetrievalEvaluator implements Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(SparkRetrievalEvaluator.class);

    private final String name;
    private final Queries queries;
    private final Corpus corpus;
    private final Qrels qrels;
    private final List<String> queryIds;
    private final MetricsCalculator calculator;
    private final int depth;
    private final boolean excludeIdenticalIds;
    private final SparkExactSearch search;

    private SparkRetrievalEvaluator(Builder b, List<String> queryIds, MetricsCalculator calculator, int depth) {
        this.name = b.name;
        this.queries = b.queries;
        this.corpus = b.corpus;
        this.qrels = b.qrels;
        this.queryIds = queryIds;
        this.calculator = calculator;
        this.depth = depth;
        this.excludeIdenticalIds = b.excludeIdenticalIds;
        this.search = SparkExactSearch.builder(b.spark).chunkSize(b.chunkSize).queryBatchSize(b.queryBatchSize)
                .queryBlockSize(b.queryBatchSize * 80).build();
    }

    /**
     * @param spark the session whose cluster runs the search
     * @return a builder with {@link RetrievalEvaluator}'s defaults
     */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the evaluated query ids, in qrels order */
    public List<String> queryIds() {
        return queryIds;
    }

    @Override
    public EvaluationResult evaluate(Embedder embedder) {
        long t0 = System.nanoTime();
        List<String> texts = new ArrayList<>(queryIds.size());
        Map<String, String> queryTexts = new LinkedHashMap<>();
        for (String qid : queryIds) {
            texts.add(queries.text(qid));
            queryTexts.put(qid, queries.text(qid));
        }
        EmbeddingMatrix q = EmbeddingMatrix.of(embedder.encodeQueries(texts));
        EmbeddingMatrix d = EmbeddingMatrix.of(embedder.encodeCorpus(corpus.fullTexts()));
        long t1 = System.nanoTime();
        List<String> docIds = corpus.ids();
        Exclusions exclusions = excludeIdenticalIds ? Exclusions.identicalIds(queryIds, docIds) : Exclusions.none();
        List<SearchHits> hits = search.search(q, d, depth, exclusions);
        long t2 = System.nanoTime();
        Run.Builder run = Run.builder();
        for (int i = 0; i < queryIds.size(); i++) {
            SearchHits h = hits.get(i);
            for (int j = 0; j < h.size(); j++) {
                run.add(queryIds.get(i), docIds.get(h.positions()[j]), h.scores()[j]);
            }
        }
        Run built = run.build();
        EvaluationResult r = calculator.evaluate(qrels, built);
        LOG.info("{}: {} = {} over {} queries (encode {} ms, spark search {} ms)", name, r.primary(),
                String.format(Locale.ROOT, "%.4f", r.primaryValue()), r.counts().evaluated(), (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000);
        return new EvaluationResult(name, r.primary(), r.metrics(), r.mean(), r.perQuery(), r.counts(), queryTexts,
                built);
    }

    /**
     * Writes the run of a result in TREC format ({@code qid Q0 docid rank score tag}) with bge-eval's writer.
     *
     * @param result a result of {@link #evaluate}
     * @param file the output file
     * @param tag the run tag
     */
    public static void writeTrecRun(EvaluationResult result, Path file, String tag) {
        if (result.run() == null) {
            throw new IllegalArgumentException("the result carries no run; evaluate with keepRun(true)");
        }
        TrecRunWriter.write(file, result.run(), tag);
    }

    /**
     * Options of a {@link SparkRetrievalEvaluator}: {@link RetrievalEvaluator.Builder}'s, plus the
     * Spark session. {@link #build()} validates them as RetrievalEvaluator does.
     *
     * <p>Usage: {@code SparkRetrievalEvaluator.builder(spark).queries(q).corpus(c).qrels(r).cutoffs(List.of(10, 100)).build()}
     */
    public static final class Builder {
        private final SparkSession spark;
        private String name = "retrieval";
        private Queries queries;
        private Corpus corpus;
        private Qrels qrels;
        private List<Metric> metrics;
        private Collection<Integer> cutoffs;
        private Metric primary;
        private int searchDepth;
        private int chunkSize = io.bge4j.core.search.ExactSearch.DEFAULT_CHUNK_SIZE;
        private int queryBatchSize = io.bge4j.core.search.ExactSearch.DEFAULT_QUERY_BATCH_SIZE;
        private boolean excludeIdenticalIds;

        private Builder(SparkSession spark) {
            this.spark = spark;
        }

        /** @param name the evaluator's name @return this */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @param dataset queries, corpus and qrels at once @return this */
        public Builder dataset(io.bge4j.data.beir.BeirDataset dataset) {
            return queries(dataset.queries()).corpus(dataset.corpus()).qrels(dataset.qrels());
        }

        /** @param queries the queries @return this */
        public Builder queries(Queries queries) {
            this.queries = queries;
            return this;
        }

        /** @param corpus the corpus @return this */
        public Builder corpus(Corpus corpus) {
            this.corpus = corpus;
            return this;
        }

        /** @param qrels the judgements @return this */
        public Builder qrels(Qrels qrels) {
            this.qrels = qrels;
            return this;
        }

        /** @param metrics the metrics (default {@link Metric#defaults()}) @return this */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = List.copyOf(metrics);
            this.cutoffs = null;
            return this;
        }

        /** @param cutoffs every metric at these cutoffs @return this */
        public Builder cutoffs(Collection<Integer> cutoffs) {
            this.cutoffs = List.copyOf(cutoffs);
            this.metrics = null;
            return this;
        }

        /** @param primary the headline metric @return this */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /** @param depth documents retrieved per query (0: the largest cutoff) @return this */
        public Builder searchDepth(int depth) {
            this.searchDepth = depth;
            return this;
        }

        /** @param rows corpus rows per Spark task @return this */
        public Builder chunkSize(int rows) {
            this.chunkSize = rows;
            return this;
        }

        /** @param rows query rows per matrix product @return this */
        public Builder queryBatchSize(int rows) {
            this.queryBatchSize = rows;
            return this;
        }

        /** @param exclude never retrieve a document whose id equals the query id @return this */
        public Builder excludeIdenticalIds(boolean exclude) {
            this.excludeIdenticalIds = exclude;
            return this;
        }

        /**
         * @return the evaluator
         * @throws IllegalArgumentException naming the bad option (RetrievalEvaluator's checks)
         */
        public SparkRetrievalEvaluator build() {
            if (spark == null) {
                throw new IllegalArgumentException("spark session must not be null");
            }
            RetrievalEvaluator.Builder ref = RetrievalEvaluator.builder().name(name).queries(queries).corpus(corpus)
                    .qrels(qrels).primary(primary).searchDepth(searchDepth).chunkSize(chunkSize)
                    .queryBatchSize(queryBatchSize).excludeIdenticalIds(excludeIdenticalIds);
            if (metrics != null) {
                ref.metrics(metrics);
            } else if (cutoffs != null) {
                ref.cutoffs(cutoffs);
            }
            RetrievalEvaluator checked = ref.build();
            MetricsCalculator.Builder mb = MetricsCalculator.builder().primary(primary);
            if (metrics != null) {
                mb.metrics(metrics);
            } else if (cutoffs != null) {
                mb.cutoffs(cutoffs);
            }
            MetricsCalculator calc = mb.build();
            int maxK = calc.metrics().stream().mapToInt(Metric::k).max().orElseThrow();
            return new SparkRetrievalEvaluator(this, checked.queryIds(), calc, searchDepth == 0 ? maxK : searchDepth);
        }
    }
}
