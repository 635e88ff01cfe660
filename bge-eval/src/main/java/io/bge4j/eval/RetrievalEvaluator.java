package io.bge4j.eval;

import io.bge4j.core.Embedder;
import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.Exclusions;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.SearchHits;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dense retrieval evaluation: encodes the judged queries with {@link Embedder#encodeQueries} (the
 * model's query instruction applies to queries only) and the corpus with {@link Embedder#encodeCorpus}
 * over {@code title + " " + text} ({@link io.bge4j.data.beir.CorpusDocument#fullText()}), retrieves
 * the top documents of each query by exact inner-product search ({@link ExactSearch}) and scores them
 * with {@link MetricsCalculator} (trec_eval semantics).
 *
 * <p>The metrics see the retrieved documents in trec_eval's order of their scores (equal scores by
 * document id, descending), so the kept run, written with {@link TrecRunWriter}, gives the same numbers
 * in trec_eval. Which documents make the search depth on a tie at the cut is decided by lower corpus
 * position.
 *
 * <p>Evaluated queries are those in the qrels that have a text; judged queries without a text are
 * logged and left out. Corpus embeddings can be cached on disk ({@link Builder#embeddingCache}) keyed
 * by the embedder's fingerprint and the corpus texts; the run can be kept for TREC output
 * ({@link Builder#keepRun}).
 *
 * <p>Usage:
 * <pre>{@code
 * RetrievalEvaluator eval = RetrievalEvaluator.builder()
 *         .queries(ds.queries()).corpus(ds.corpus()).qrels(ds.qrels())
 *         .keepRun(true).build();
 * EvaluationResult r = eval.evaluate(embedder);
 * TrecRunWriter.write(Path.of("run.trec"), r.run(), "bge4j");
 * }</pre>
 */
public final class RetrievalEvaluator implements Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalEvaluator.class);

    private final String name;
    private final Queries queries;
    private final Corpus corpus;
    private final Qrels qrels;
    private final MetricsCalculator calculator;
    private final ExactSearch search;
    private final boolean excludeIdenticalIds;
    private final EmbeddingCache cache;
    private final boolean keepRun;
    private final List<String> queryIds;

    private RetrievalEvaluator(Builder b, MetricsCalculator calculator, int depth) {
        this.name = b.name;
        this.queries = b.queries;
        this.corpus = b.corpus;
        this.qrels = b.qrels;
        this.calculator = calculator;
        this.search = ExactSearch.builder().k(depth).chunkSize(b.chunkSize).queryBatchSize(b.queryBatchSize).build();
        this.excludeIdenticalIds = b.excludeIdenticalIds;
        this.cache = b.cache;
        this.keepRun = b.keepRun;
        List<String> ids = new ArrayList<>();
        int withoutText = 0;
        for (String qid : qrels.byQuery().keySet()) {
            if (queries.text(qid) != null) {
                ids.add(qid);
            } else {
                withoutText++;
            }
        }
        if (withoutText > 0) {
            LOG.warn("{} judged queries have no text and are not evaluated", withoutText);
        }
        this.queryIds = List.copyOf(ids);
    }

    /**
     * @param queries query texts
     * @param corpus the documents
     * @param qrels the judgements
     * @return an evaluator with the default metrics (every type at 1, 3, 5, 10, 100; primary nDCG@10)
     */
    public static RetrievalEvaluator of(Queries queries, Corpus corpus, Qrels qrels) {
        return builder().queries(queries).corpus(corpus).qrels(qrels).build();
    }

    /**
     * @param dataset a loaded split
     * @return an evaluator with the default metrics
     */
    public static RetrievalEvaluator of(BeirDataset dataset) {
        return of(dataset.queries(), dataset.corpus(), dataset.qrels());
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the ids of the queries this evaluator encodes, in qrels order */
    public List<String> queryIds() {
        return queryIds;
    }

    @Override
    public EvaluationResult evaluate(Embedder embedder) {
        return evaluate(embedder, keepRun);
    }

    /**
     * Dense retrieval followed by a reranking stage: the embedder's ranking (this evaluator's search depth)
     * is the first stage, the reranker rescores its top {@code topK} ({@link RerankingEvaluator}), and the
     * result holds both evaluations and their paired comparison. Both use this evaluator's metrics.
     *
     * <p>Usage: {@code RerankingResult r = eval.evaluateWithReranking(embedder, crossEncoder, 20);}
     *
     * @param embedder the first-stage model
     * @param reranker the reranker (e.g. a {@link io.bge4j.core.rerank.CrossEncoder})
     * @param topK documents rescored per query (at most the search depth is available)
     * @return first stage, reranked, comparison
     */
    public RerankingResult evaluateWithReranking(Embedder embedder, io.bge4j.core.rerank.Reranker reranker, int topK) {
        EvaluationResult first = evaluate(embedder, true);
        RerankingEvaluator stage = RerankingEvaluator.builder().name(name).queries(queries).corpus(corpus).qrels(qrels)
                .topK(topK).metrics(calculator.metrics()).primary(calculator.primary()).build();
        return stage.evaluate(first.run(), reranker, first.withName(name + " (first stage)"));
    }

    private EvaluationResult evaluate(Embedder embedder, boolean keep) {
        long t0 = System.nanoTime();
        List<String> texts = new ArrayList<>(queryIds.size());
        Map<String, String> queryTexts = new LinkedHashMap<>();
        for (String qid : queryIds) {
            texts.add(queries.text(qid));
            queryTexts.put(qid, queries.text(qid));
        }
        EmbeddingMatrix q = EmbeddingMatrix.of(embedder.encodeQueries(texts));
        List<String> docTexts = corpus.fullTexts();
        EmbeddingMatrix d = cache == null ? EmbeddingMatrix.of(embedder.encodeCorpus(docTexts))
                : cache.getOrCompute(embedder.fingerprint(), docTexts, embedder::encodeCorpus);
        long t1 = System.nanoTime();
        List<String> docIds = corpus.ids();
        Exclusions exclusions = excludeIdenticalIds ? Exclusions.identicalIds(queryIds, docIds) : Exclusions.none();
        List<SearchHits> hits = search.search(q, d, exclusions);
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
        LOG.info("{}: {} = {} over {} queries (encode {} ms, search {} ms)", name, r.primary(),
                String.format(java.util.Locale.ROOT, "%.4f", r.primaryValue()), r.counts().evaluated(),
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        return new EvaluationResult(name, r.primary(), r.metrics(), r.mean(), r.perQuery(), r.counts(), queryTexts,
                keep ? built : null);
    }

    /**
     * Options of a {@link RetrievalEvaluator}; {@link #build()} validates them.
     *
     * <p>Usage: {@code RetrievalEvaluator.builder().queries(q).corpus(c).qrels(r).cutoffs(List.of(10, 100)).build()}
     */
    public static final class Builder {
        private String name = "retrieval";
        private Queries queries;
        private Corpus corpus;
        private Qrels qrels;
        private List<Metric> metrics = Metric.defaults();
        private Metric primary;
        private int searchDepth;
        private int chunkSize = ExactSearch.DEFAULT_CHUNK_SIZE;
        private int queryBatchSize = ExactSearch.DEFAULT_QUERY_BATCH_SIZE;
        private boolean excludeIdenticalIds;
        private EmbeddingCache cache;
        private boolean keepRun;

        private Builder() {
        }

        /**
         * @param name a label for logs and reports (default {@code retrieval})
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * @param queries query texts (required)
         * @return this builder
         */
        public Builder queries(Queries queries) {
            this.queries = queries;
            return this;
        }

        /**
         * @param corpus documents (required, non-empty)
         * @return this builder
         */
        public Builder corpus(Corpus corpus) {
            this.corpus = corpus;
            return this;
        }

        /**
         * @param qrels judgements (required)
         * @return this builder
         */
        public Builder qrels(Qrels qrels) {
            this.qrels = qrels;
            return this;
        }

        /**
         * @param metrics the metrics to compute (default: every type at 1, 3, 5, 10, 100)
         * @return this builder
         */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = Metric.sortedDistinct(metrics);
            return this;
        }

        /**
         * @param cutoffs every metric type at these cutoffs
         * @return this builder
         */
        public Builder cutoffs(Collection<Integer> cutoffs) {
            this.metrics = Metric.allAt(cutoffs);
            return this;
        }

        /**
         * @param primary the primary metric (default nDCG@10 when computed, else the first metric)
         * @return this builder
         */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /**
         * @param depth documents retrieved per query; default (0) is the largest metric cutoff, and it may
         *     not be smaller than that
         * @return this builder
         */
        public Builder searchDepth(int depth) {
            this.searchDepth = depth;
            return this;
        }

        /**
         * @param rows corpus rows per matrix product (default 50,000)
         * @return this builder
         */
        public Builder chunkSize(int rows) {
            this.chunkSize = rows;
            return this;
        }

        /**
         * @param rows query rows per matrix product (default 128)
         * @return this builder
         */
        public Builder queryBatchSize(int rows) {
            this.queryBatchSize = rows;
            return this;
        }

        /**
         * @param exclude never retrieve the document whose id equals the query id (ArguAna, Quora)
         * @return this builder
         */
        public Builder excludeIdenticalIds(boolean exclude) {
            this.excludeIdenticalIds = exclude;
            return this;
        }

        /**
         * @param cache where corpus embeddings are cached, or null (default) for no cache
         * @return this builder
         */
        public Builder embeddingCache(EmbeddingCache cache) {
            this.cache = cache;
            return this;
        }

        /**
         * @param keep keep the run in the result (for TREC output); default false
         * @return this builder
         */
        public Builder keepRun(boolean keep) {
            this.keepRun = keep;
            return this;
        }

        /**
         * @return the evaluator
         * @throws IllegalArgumentException naming the bad option
         */
        public RetrievalEvaluator build() {
            if (queries == null) {
                throw new IllegalArgumentException("queries are required");
            }
            if (corpus == null) {
                throw new IllegalArgumentException("corpus is required");
            }
            if (corpus.size() == 0) {
                throw new IllegalArgumentException("corpus must not be empty");
            }
            if (qrels == null) {
                throw new IllegalArgumentException("qrels are required");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics must not be empty");
            }
            int maxK = metrics.stream().mapToInt(Metric::k).max().orElseThrow();
            int depth = searchDepth == 0 ? maxK : searchDepth;
            if (depth < maxK) {
                throw new IllegalArgumentException("searchDepth " + depth + " is smaller than the largest metric "
                        + "cutoff " + maxK + "; raise it or drop the larger cutoffs");
            }
            if (chunkSize < 1) {
                throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
            }
            if (queryBatchSize < 1) {
                throw new IllegalArgumentException("queryBatchSize must be at least 1, was " + queryBatchSize);
            }
            Metric p = primary != null ? primary
                    : metrics.contains(Metric.NDCG_AT_10) ? Metric.NDCG_AT_10 : metrics.get(0);
            MetricsCalculator calc = MetricsCalculator.builder().metrics(metrics).primary(p).build();
            return new RetrievalEvaluator(this, calc, depth);
        }
    }

    @Override
    public String toString() {
        return "RetrievalEvaluator[" + name + ": " + queryIds.size() + " queries, " + corpus.size() + " documents, "
                + calculator.metrics().size() + " metrics, primary " + calculator.primary() + "]";
    }
}
