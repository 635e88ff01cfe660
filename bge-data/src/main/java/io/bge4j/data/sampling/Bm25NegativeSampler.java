package io.bge4j.data.sampling;

import io.bge4j.core.Bge4jException;
import io.bge4j.data.Seeds;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lexically hard negatives: the corpus is indexed in memory with Apache Lucene
 * ({@link ByteBuffersDirectory}, {@link BM25Similarity}), each query is run as a disjunction of its
 * analysed terms, and negatives are taken from the ranks {@code [from, to)} of the BM25 ranking
 * (top or random, seeded), skipping positives by corpus position and normalised text. When the
 * window yields too few, random documents from outside the ranked list top it up, and the report
 * says how many.
 *
 * <p>The index is built per {@link #sample} call and dropped afterwards; queries are searched in
 * parallel, with results independent of thread timing.
 *
 * <p>Usage:
 * <pre>{@code
 * SamplingResult r = Bm25NegativeSampler.builder()
 *     .language(Bm25Language.ENGLISH).rankWindow(3, 100).negativesPerQuery(7).seed(42)
 *     .build().sample(train, corpus);
 * }</pre>
 */
public final class Bm25NegativeSampler implements NegativeSampler {
    private static final Logger LOG = LoggerFactory.getLogger(Bm25NegativeSampler.class);
    private static final String BODY = "body";
    private static final String POSITION = "pos";

    private final Supplier<Analyzer> analyzer;
    private final String analyzerName;
    private final RankWindow window;
    private final int negativesPerQuery;
    private final Selection selection;
    private final long seed;
    private final boolean topUp;
    private final float k1;
    private final float b;
    private final int threads;

    private Bm25NegativeSampler(Builder bd) {
        this.analyzer = bd.analyzer;
        this.analyzerName = bd.analyzerName;
        this.window = bd.window;
        this.negativesPerQuery = bd.negativesPerQuery;
        this.selection = bd.selection;
        this.seed = bd.seed;
        this.topUp = bd.topUp;
        this.k1 = bd.k1;
        this.b = bd.b;
        this.threads = bd.threads;
    }

    /** @return a builder: English, window [0, 100), 15 negatives, top selection, seed 42, top-up on */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
        return sample(examples, CorpusTextIndex.of(corpus));
    }

    /**
     * Like {@link #sample(List, Corpus)} with a prebuilt text index.
     *
     * @param examples the examples
     * @param index the corpus's text index
     * @return the result
     */
    public SamplingResult sample(List<TrainingExample> examples, CorpusTextIndex index) {
        TeacherScoreNotice.warnIfDropped("BM25 sampler", examples);
        Corpus corpus = index.corpus();
        long t0 = System.nanoTime();
        ForkJoinPool pool = new ForkJoinPool(threads);
        try (Analyzer a = analyzer.get(); ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            BM25Similarity similarity = new BM25Similarity(k1, b);
            IndexWriterConfig cfg = new IndexWriterConfig(a).setSimilarity(similarity)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(256)
                    .setUseCompoundFile(false);
            try (IndexWriter w = new IndexWriter(dir, cfg)) {
                // IndexWriter is thread-safe; document order does not matter (positions are doc values)
                run(pool, () -> IntStream.range(0, corpus.size()).parallel().forEach(i -> {
                    Document d = new Document();
                    d.add(new TextField(BODY, corpus.get(i).fullText(), Field.Store.NO));
                    d.add(new NumericDocValuesField(POSITION, i));
                    try {
                        w.addDocument(d);
                    } catch (IOException ioe) {
                        throw new UncheckedIOException(ioe);
                    }
                }));
            }
            long t1 = System.nanoTime();
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                int[] docToPosition = docToPosition(reader);
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(similarity);
                int k = Math.min(window.to(), Math.max(1, corpus.size()));
                NegativePicker.Outcome[] outcomes = new NegativePicker.Outcome[examples.size()];
                PositiveExclusion[] exclusions = new PositiveExclusion[examples.size()];
                Runnable work = () -> IntStream.range(0, examples.size()).parallel().forEach(i -> {
                    TrainingExample e = examples.get(i);
                    PositiveExclusion ex = index.exclusionFor(e);
                    exclusions[i] = ex;
                    int[] ranked;
                    float[] scores;
                    try {
                        Query q = buildQuery(a, e.query());
                        if (q == null || corpus.size() == 0) {
                            ranked = new int[0];
                            scores = new float[0];
                        } else {
                            TopDocs top = searcher.search(q, k);
                            ranked = new int[top.scoreDocs.length];
                            scores = new float[top.scoreDocs.length];
                            for (int r = 0; r < ranked.length; r++) {
                                ScoreDoc sd = top.scoreDocs[r];
                                ranked[r] = docToPosition[sd.doc];
                                scores[r] = sd.score;
                            }
                        }
                    } catch (IOException ioe) {
                        throw new UncheckedIOException(ioe);
                    }
                    outcomes[i] = NegativePicker.fromRanking(ranked, scores, window, negativesPerQuery, selection,
                            new SplittableRandom(Seeds.derive(seed, i)), index, ex, null, topUp, null);
                });
                run(pool, work);
                NegativePicker.Tally tally = new NegativePicker.Tally("bm25[" + analyzerName + "]", negativesPerQuery);
                List<TrainingExample> out = new ArrayList<>(examples.size());
                List<List<SampledNegative>> provenance = new ArrayList<>(examples.size());
                for (int i = 0; i < examples.size(); i++) {
                    tally.add(outcomes[i], exclusions[i].unmatchedPositives());
                    out.add(examples.get(i).withNegatives(outcomes[i].texts()));
                    provenance.add(outcomes[i].negatives());
                }
                SamplingReport report = tally.report();
                LOG.info("{} (index {} docs in {} ms, search {} ms)", report.summary(), corpus.size(),
                        (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
                return new SamplingResult(out, report, provenance);
            }
        } catch (IOException e) {
            throw new Bge4jException("BM25 index failed: " + e.getMessage(), e);
        } finally {
            pool.shutdown();
        }
    }

    private static void run(ForkJoinPool pool, Runnable work) {
        try {
            pool.submit(work).get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new Bge4jException("BM25 sampling was interrupted", ie);
        } catch (java.util.concurrent.ExecutionException ee) {
            Throwable cause = ee.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new Bge4jException("BM25 sampling failed: " + cause, cause);
        }
    }

    private static int[] docToPosition(DirectoryReader reader) throws IOException {
        int[] map = new int[reader.maxDoc()];
        Arrays.fill(map, -1);
        for (LeafReaderContext leaf : reader.leaves()) {
            NumericDocValues dv = leaf.reader().getNumericDocValues(POSITION);
            if (dv == null) {
                continue;
            }
            for (int doc = dv.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = dv.nextDoc()) {
                map[leaf.docBase + doc] = (int) dv.longValue();
            }
        }
        return map;
    }

    /** A disjunction of the query's analysed terms (repeated terms boosted); null when none. */
    static Query buildQuery(Analyzer a, String text) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (TokenStream ts = a.tokenStream(BODY, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                counts.merge(term.toString(), 1, Integer::sum);
            }
            ts.end();
        }
        if (counts.isEmpty()) {
            return null;
        }
        int max = IndexSearcher.getMaxClauseCount();
        BooleanQuery.Builder bq = new BooleanQuery.Builder();
        int n = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (n++ >= max) {
                break;
            }
            Query tq = new TermQuery(new Term(BODY, e.getKey()));
            bq.add(e.getValue() > 1 ? new BoostQuery(tq, e.getValue()) : tq, BooleanClause.Occur.SHOULD);
        }
        return bq.build();
    }

    /**
     * Options of a {@link Bm25NegativeSampler}; {@link #build()} validates them.
     *
     * <p>Usage: {@code Bm25NegativeSampler.builder().language(Bm25Language.CJK_BIGRAM).rankWindow(0, 50).build()}
     */
    public static final class Builder {
        private Supplier<Analyzer> analyzer = Bm25Language.ENGLISH::newAnalyzer;
        private String analyzerName = "english";
        private RankWindow window = RankWindow.of(0, 100);
        private int negativesPerQuery = 15;
        private Selection selection = Selection.TOP;
        private long seed = 42;
        private boolean topUp = true;
        private float k1 = 0.9f;
        private float b = 0.4f;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {
        }

        /**
         * @param language one of the built-in analyzers
         * @return this builder
         */
        public Builder language(Bm25Language language) {
            this.analyzer = language::newAnalyzer;
            this.analyzerName = language.name().toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /**
         * @param factory creates a fresh Lucene analyzer (closed after each sample call)
         * @param name a short name for the report
         * @return this builder
         */
        public Builder analyzer(Supplier<Analyzer> factory, String name) {
            this.analyzer = factory;
            this.analyzerName = name;
            return this;
        }

        /**
         * @param from first rank, inclusive (0 = best hit)
         * @param to last rank, exclusive
         * @return this builder
         */
        public Builder rankWindow(int from, int to) {
            this.window = RankWindow.of(from, to);
            return this;
        }

        /**
         * @param n negatives per example, at least 1
         * @return this builder
         */
        public Builder negativesPerQuery(int n) {
            this.negativesPerQuery = n;
            return this;
        }

        /**
         * @param selection TOP (hardest first) or RANDOM within the window
         * @return this builder
         */
        public Builder selection(Selection selection) {
            this.selection = selection;
            return this;
        }

        /**
         * @param seed drives random selection and top-up
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param topUp whether to fill a short window with random documents (default true)
         * @return this builder
         */
        public Builder topUpWithRandom(boolean topUp) {
            this.topUp = topUp;
            return this;
        }

        /**
         * @param k1 BM25 term-frequency saturation, &gt;= 0 (default 0.9, as Anserini/Pyserini use)
         * @param b BM25 length normalisation in [0, 1] (default 0.4)
         * @return this builder
         */
        public Builder bm25(float k1, float b) {
            this.k1 = k1;
            this.b = b;
            return this;
        }

        /**
         * @param threads search threads, at least 1 (default: available processors)
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * @return the sampler
         * @throws IllegalArgumentException naming the bad option
         */
        public Bm25NegativeSampler build() {
            if (analyzer == null) {
                throw new IllegalArgumentException("analyzer must not be null; use language(...) or analyzer(...)");
            }
            if (window == null) {
                throw new IllegalArgumentException("rankWindow must be set");
            }
            if (negativesPerQuery < 1) {
                throw new IllegalArgumentException("negativesPerQuery must be at least 1, was " + negativesPerQuery);
            }
            if (selection == null) {
                throw new IllegalArgumentException("selection must not be null");
            }
            if (!(k1 >= 0) || !Float.isFinite(k1)) {
                throw new IllegalArgumentException("bm25 k1 must be a finite number >= 0, was " + k1);
            }
            if (!(b >= 0 && b <= 1)) {
                throw new IllegalArgumentException("bm25 b must be in [0, 1], was " + b);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            return new Bm25NegativeSampler(this);
        }
    }
}
