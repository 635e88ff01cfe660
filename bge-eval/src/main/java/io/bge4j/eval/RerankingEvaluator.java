package io.bge4j.eval;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.rerank.Reranker;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reranking stage of a retrieval evaluation: takes a first-stage run (dense retrieval from
 * {@link RetrievalEvaluator}, BM25, or a TREC run file read with {@link TrecRunReader}), rescores the top k
 * documents of every judged query with a {@link Reranker} (a cross-encoder), and measures the ranking
 * before and after with {@link MetricsCalculator} and a paired {@link Comparison}.
 *
 * <p>The reranked list of a query is its first-stage top k sorted by the reranker's score, followed by the
 * rest of its first-stage ranking in first-stage order. In the reranked run the top k keep the reranker's
 * scores and the tail gets scores below the lowest of them ({@code min − 1 − i} for the i-th tail document),
 * so trec_eval reads the same order from a written run. Documents are given to the reranker as
 * {@link CorpusDocument#fullText()}; a run document missing from the corpus is an error.
 *
 * <p>Usage:
 * <pre>{@code
 * RerankingEvaluator stage = RerankingEvaluator.builder()
 *         .queries(ds.queries()).corpus(ds.corpus()).qrels(ds.qrels()).topK(20).build();
 * RerankingResult r = stage.evaluate(TrecRunReader.read(Path.of("bm25.trec")), crossEncoder);
 * System.out.println(r.comparison().metric(Metric.NDCG_AT_10));
 * }</pre>
 */
public final class RerankingEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(RerankingEvaluator.class);

    private final String name;
    private final Queries queries;
    private final Corpus corpus;
    private final Qrels qrels;
    private final int topK;
    private final MetricsCalculator calculator;
    private final long seed;
    private final IntConsumer progress;

    private RerankingEvaluator(Builder b, MetricsCalculator calculator) {
        this.name = b.name;
        this.queries = b.queries;
        this.corpus = b.corpus;
        this.qrels = b.qrels;
        this.topK = b.topK;
        this.calculator = calculator;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return documents rescored per query */
    public int topK() {
        return topK;
    }

    /**
     * Reranks and measures.
     *
     * @param firstStage the first-stage run (at least the top k per query; deeper lists keep their tail)
     * @param reranker the reranker
     * @return first-stage and reranked metrics and their comparison
     */
    public RerankingResult evaluate(Run firstStage, Reranker reranker) {
        return evaluate(firstStage, reranker, null);
    }

    /**
     * Reranks and measures, reusing an already computed first-stage result (e.g. from
     * {@link RetrievalEvaluator#evaluate}).
     *
     * @param firstStage the first-stage run
     * @param reranker the reranker
     * @param firstStageResult metrics of {@code firstStage} computed with the same metrics, or null
     * @return first-stage and reranked metrics and their comparison
     */
    public RerankingResult evaluate(Run firstStage, Reranker reranker, EvaluationResult firstStageResult) {
        EvaluationResult before = firstStageResult != null ? firstStageResult
                : calculator.evaluate(qrels, firstStage).withName(name + " (first stage)");
        long t0 = System.nanoTime();
        long[] pairs = new long[1];
        Run after = rerank(firstStage, reranker, pairs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        EvaluationResult reranked = calculator.evaluate(qrels, after).withName(name + " (reranked top " + topK + ")");
        Map<String, String> texts = new LinkedHashMap<>();
        for (String qid : reranked.perQuery().keySet()) {
            String t = queries.text(qid);
            if (t != null) {
                texts.put(qid, t);
            }
        }
        before = before.withQueryTexts(texts);
        reranked = reranked.withQueryTexts(texts);
        Comparison cmp = Comparison.builder().base(before).tuned(reranked).seed(seed).build();
        LOG.info("{}: {} {} -> {} after reranking the top {} ({} pairs, {} s)", name, calculator.primary(),
                String.format(java.util.Locale.ROOT, "%.4f", before.primaryValue()),
                String.format(java.util.Locale.ROOT, "%.4f", reranked.primaryValue()), topK, pairs[0],
                String.format(java.util.Locale.ROOT, "%.1f", seconds));
        return new RerankingResult(before, reranked, cmp, topK, pairs[0], seconds);
    }

    /**
     * Reranks the top k of every judged query in the run (a query without a text keeps its first-stage
     * ranking; unjudged queries are dropped).
     *
     * @param firstStage the first-stage run
     * @param reranker the reranker
     * @return the reranked run
     */
    public Run rerank(Run firstStage, Reranker reranker) {
        return rerank(firstStage, reranker, new long[1]);
    }

    private Run rerank(Run firstStage, Reranker reranker, long[] pairs) {
        Run.Builder out = Run.builder();
        int done = 0;
        int withoutText = 0;
        for (String qid : qrels.byQuery().keySet()) {
            if (!firstStage.contains(qid)) {
                continue;
            }
            List<ScoredDoc> ranking = firstStage.ranking(qid);
            String text = queries.text(qid);
            if (text == null) {
                out.addAll(qid, ranking);  // kept as ranked, so both results cover the same queries
                withoutText++;
                continue;
            }
            int k = Math.min(topK, ranking.size());
            List<String> passages = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                String docId = ranking.get(i).docId();
                Optional<CorpusDocument> d = corpus.byId(docId);
                if (d.isEmpty()) {
                    throw new Bge4jException("the first-stage run ranks document '" + docId + "' for query '" + qid
                            + "', but the corpus has no such document; rerank with the corpus the run was made from");
                }
                passages.add(d.get().fullText());
            }
            float[] s = k == 0 ? new float[0] : reranker.score(text, passages);
            if (s.length != k) {
                throw new IllegalStateException("the reranker returned " + s.length + " scores for " + k + " passages");
            }
            pairs[0] += k;
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                if (!Float.isFinite(s[i])) {
                    throw new Bge4jException("the reranker gave a non-finite score (" + s[i] + ") to document '"
                            + ranking.get(i).docId() + "' for query '" + qid + "'");
                }
                out.add(qid, ranking.get(i).docId(), s[i]);
                min = Math.min(min, s[i]);
            }
            for (int i = k; i < ranking.size(); i++) {
                out.add(qid, ranking.get(i).docId(), min - 1 - (i - k));
            }
            done++;
            if (progress != null) {
                progress.accept(done);
            }
        }
        if (withoutText > 0) {
            LOG.warn("{} judged queries have no text; their first-stage ranking is kept as is", withoutText);
        }
        return out.build();
    }

    /**
     * Options of a {@link RerankingEvaluator}; {@link #build()} validates them.
     *
     * <p>Usage: {@code RerankingEvaluator.builder().queries(q).corpus(c).qrels(r).topK(50).build()}
     */
    public static final class Builder {
        private String name = "rerank";
        private Queries queries;
        private Corpus corpus;
        private Qrels qrels;
        private int topK = 100;
        private List<Metric> metrics = Metric.defaults();
        private Metric primary;
        private long seed = 42;
        private IntConsumer progress;

        private Builder() {}

        /** @param name a label for logs and results (default {@code rerank}) @return this */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @param queries query texts (required) @return this */
        public Builder queries(Queries queries) {
            this.queries = queries;
            return this;
        }

        /** @param corpus the documents the run ranks (required) @return this */
        public Builder corpus(Corpus corpus) {
            this.corpus = corpus;
            return this;
        }

        /** @param qrels judgements (required) @return this */
        public Builder qrels(Qrels qrels) {
            this.qrels = qrels;
            return this;
        }

        /** @param k documents rescored per query (default 100) @return this */
        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        /** @param metrics metrics to compute (default every type at 1, 3, 5, 10, 100) @return this */
        public Builder metrics(Collection<Metric> metrics) {
            this.metrics = Metric.sortedDistinct(metrics);
            return this;
        }

        /** @param primary the primary metric (default nDCG@10 when computed) @return this */
        public Builder primary(Metric primary) {
            this.primary = primary;
            return this;
        }

        /** @param seed seed of the comparison's bootstrap and randomisation test (default 42) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param progress called with the number of queries reranked so far, or null @return this */
        public Builder progress(IntConsumer progress) {
            this.progress = progress;
            return this;
        }

        /**
         * @return the evaluator
         * @throws IllegalArgumentException naming the bad option
         */
        public RerankingEvaluator build() {
            if (queries == null) {
                throw new IllegalArgumentException("queries are required");
            }
            if (corpus == null) {
                throw new IllegalArgumentException("corpus is required");
            }
            if (qrels == null) {
                throw new IllegalArgumentException("qrels are required");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be at least 1, was " + topK);
            }
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics must not be empty");
            }
            Metric p = primary != null ? primary
                    : metrics.contains(Metric.NDCG_AT_10) ? Metric.NDCG_AT_10 : metrics.get(0);
            if (!metrics.contains(p)) {
                throw new IllegalArgumentException("primary " + p + " is not among the metrics " + metrics);
            }
            return new RerankingEvaluator(this, MetricsCalculator.builder().metrics(metrics).primary(p).build());
        }
    }

    @Override
    public String toString() {
        return "RerankingEvaluator[" + name + ": top " + topK + ", " + calculator.metrics().size() + " metrics]";
    }
}
