package io.bge4j.data.sampling;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.Embedder;
import io.bge4j.core.search.EmbeddingCache;
import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.SearchHits;
import io.bge4j.data.Seeds;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.DoublePredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dense hard-negative mining, as FlagEmbedding's {@code hn_mine} does it, with false-negative
 * control:
 * <ol>
 *   <li>encode the corpus (passages) and the queries (with the model's query instruction, or the
 *       example's own {@code prompt} prepended when it has one) and each example's positives;</li>
 *   <li>exact top-{@code to} search by inner product;</li>
 *   <li>keep the candidates ranked in {@code [from, to)}, skipping positives by corpus position
 *       (positives matched to corpus documents by normalised text) and by normalised text, and
 *       duplicate texts;</li>
 *   <li>drop likely false negatives: a candidate scoring above the example's weakest positive minus
 *       {@code absoluteMargin}, above {@code (1 - relativeMargin)} times it, or above
 *       {@code maxScore} (each check only when set), as sentence-transformers'
 *       {@code mine_hard_negatives} offers;</li>
 *   <li>take {@code n} of the rest (top or seeded random);</li>
 *   <li>when short, top up with random documents from outside the ranked list (passing the same
 *       margin checks) and report how many.</li>
 * </ol>
 * The output is teacher-free (score lists dropped); {@link SamplingResult#writeJsonl} writes it as
 * FlagEmbedding JSONL. The embedder is used, not owned: the caller closes it.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Embedder emb = model.embedder().batchSize(64).build()) {
 *     DenseNegativeMiner miner = DenseNegativeMiner.builder()
 *         .embedder(emb).rankWindow(10, 210).negativesPerQuery(15).relativeMargin(0.05).seed(42).build();
 *     miner.sample(train, corpus).writeJsonl(Path.of("train_minedHN.jsonl"));
 * }
 * }</pre>
 */
public final class DenseNegativeMiner implements NegativeSampler {
    private static final Logger LOG = LoggerFactory.getLogger(DenseNegativeMiner.class);

    private final Embedder embedder;
    private final RankWindow window;
    private final int negativesPerQuery;
    private final double absoluteMargin;
    private final double relativeMargin;
    private final double maxScore;
    private final Selection selection;
    private final long seed;
    private final boolean topUp;
    private final TopKSearcher searcher;
    private final EmbeddingCache cache;

    private DenseNegativeMiner(Builder b) {
        this.embedder = b.embedder;
        this.window = b.window;
        this.negativesPerQuery = b.negativesPerQuery;
        this.absoluteMargin = b.absoluteMargin;
        this.relativeMargin = b.relativeMargin;
        this.maxScore = b.maxScore;
        this.selection = b.selection;
        this.seed = b.seed;
        this.topUp = b.topUp;
        this.searcher = b.searcher;
        this.cache = b.cache;
    }

    /**
     * @return a builder: window [10, 210), 15 negatives, random selection, seed 42, top-up on, no
     *     margins, bge-core exact search, no embedding cache
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the rank window */
    public RankWindow rankWindow() {
        return window;
    }

    @Override
    public SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
        return sample(examples, CorpusTextIndex.of(corpus));
    }

    /**
     * Like {@link #sample(List, Corpus)} with a prebuilt text index (reuse it across calls).
     *
     * @param examples the examples
     * @param index the corpus's text index
     * @return the result, with provenance (rank and score of every negative)
     */
    public SamplingResult sample(List<TrainingExample> examples, CorpusTextIndex index) {
        TeacherScoreNotice.warnIfDropped("dense miner", examples);
        Corpus corpus = index.corpus();
        long t0 = System.nanoTime();
        EmbeddingMatrix docs = encodeCorpus(corpus);
        long t1 = System.nanoTime();
        EmbeddingMatrix queries = EmbeddingMatrix.of(encodeQueries(examples));
        Map<String, float[]> positiveVectors = encodePositives(examples, index, docs);
        if (docs.rows() > 0 && queries.rows() > 0 && docs.dimension() != queries.dimension()) {
            throw new Bge4jException("query vectors have dimension " + queries.dimension() + " but corpus vectors "
                    + docs.dimension() + "; the embedder must use one model for both");
        }
        long t2 = System.nanoTime();
        int k = Math.min(window.to(), docs.rows());
        List<SearchHits> hits = (k == 0 || examples.isEmpty()) ? null : searcher.search(queries, docs, k);
        if (hits != null && hits.size() != examples.size()) {
            throw new Bge4jException("the searcher returned " + hits.size() + " hit lists for " + examples.size()
                    + " queries; it must return one per query");
        }
        long t3 = System.nanoTime();
        NegativePicker.Tally tally = new NegativePicker.Tally(
                "dense[" + window.from() + "," + window.to() + ")", negativesPerQuery);
        List<TrainingExample> out = new ArrayList<>(examples.size());
        List<List<SampledNegative>> provenance = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample e = examples.get(i);
            float[] q = queries.row(i);
            double weakestPositive = Double.POSITIVE_INFINITY;
            for (String p : e.positives()) {
                weakestPositive = Math.min(weakestPositive, dot(q, positiveVectors.get(p)));
            }
            DoublePredicate falseNegative = falseNegativeTest(weakestPositive);
            PositiveExclusion ex = index.exclusionFor(e);
            int[] ranked = hits == null ? new int[0] : hits.get(i).positions();
            float[] scores = hits == null ? new float[0] : hits.get(i).scores();
            NegativePicker.Outcome o = NegativePicker.fromRanking(ranked, scores, window, negativesPerQuery,
                    selection, new SplittableRandom(Seeds.derive(seed, i)), index, ex, falseNegative, topUp,
                    p -> dot(q, docs, p));
            tally.add(o, ex.unmatchedPositives());
            out.add(e.withNegatives(o.texts()));
            provenance.add(o.negatives());
        }
        SamplingReport report = tally.report();
        LOG.info("{} (corpus {} docs encoded in {} ms, queries+positives {} ms, search {} ms)", report.summary(),
                corpus.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        return new SamplingResult(out, report, provenance);
    }

    /**
     * @param positiveScore the example's weakest positive score
     * @return whether a candidate score marks a likely false negative, or null when no check is set
     */
    DoublePredicate falseNegativeTest(double positiveScore) {
        boolean abs = !Double.isNaN(absoluteMargin);
        boolean rel = !Double.isNaN(relativeMargin);
        boolean cap = !Double.isNaN(maxScore);
        if (!abs && !rel && !cap) {
            return null;
        }
        double absLimit = positiveScore - absoluteMargin;
        double relLimit = positiveScore * (1 - relativeMargin);
        return s -> (abs && s > absLimit) || (rel && s > relLimit) || (cap && s > maxScore);
    }

    private EmbeddingMatrix encodeCorpus(Corpus corpus) {
        List<String> texts = corpus.fullTexts();
        EmbeddingMatrix m = cache != null
                ? cache.getOrCompute(embedder.fingerprint(), texts, embedder::encodeCorpus)
                : EmbeddingMatrix.of(embedder.encodeCorpus(texts));
        if (m.rows() != texts.size()) {
            throw new Bge4jException("the embedder returned " + m.rows() + " vectors for " + texts.size()
                    + " corpus documents; it must return one per text");
        }
        return m;
    }

    private float[][] encodeQueries(List<TrainingExample> examples) {
        List<String> plain = new ArrayList<>();
        List<Integer> plainIdx = new ArrayList<>();
        List<String> prompted = new ArrayList<>();
        List<Integer> promptedIdx = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample e = examples.get(i);
            if (e.prompt() == null) {
                plain.add(e.query());
                plainIdx.add(i);
            } else {
                prompted.add(e.prompt() + e.query());
                promptedIdx.add(i);
            }
        }
        float[][] out = new float[examples.size()][];
        if (!plain.isEmpty()) {
            scatter(checkCount(embedder.encodeQueries(plain), plain.size(), "queries"), plainIdx, out);
        }
        if (!prompted.isEmpty()) {
            scatter(checkCount(embedder.encode(prompted), prompted.size(), "prompted queries"), promptedIdx, out);
        }
        return out;
    }

    /**
     * Vectors of every distinct positive: a positive that is verbatim a corpus document's full text
     * reuses that document's vector (already encoded), only the others are encoded.
     */
    private Map<String, float[]> encodePositives(List<TrainingExample> examples, CorpusTextIndex index,
            EmbeddingMatrix docs) {
        Map<String, Integer> distinct = new HashMap<>();
        List<String> texts = new ArrayList<>();
        Map<String, float[]> reused = new HashMap<>();
        for (TrainingExample e : examples) {
            for (String p : e.positives()) {
                if (reused.containsKey(p) || distinct.containsKey(p)) {
                    continue;
                }
                int same = -1;
                for (int pos : index.positionsOf(p)) {
                    if (index.corpus().get(pos).fullText().equals(p)) {
                        same = pos;
                        break;
                    }
                }
                if (same >= 0 && same < docs.rows()) {
                    reused.put(p, docs.row(same));
                } else {
                    distinct.put(p, texts.size());
                    texts.add(p);
                }
            }
        }
        float[][] vecs = texts.isEmpty() ? new float[0][] : checkCount(embedder.encodeCorpus(texts), texts.size(),
                "positives");
        Map<String, float[]> out = new HashMap<>(reused);
        for (int i = 0; i < texts.size(); i++) {
            out.put(texts.get(i), vecs[i]);
        }
        return out;
    }

    private static float[][] checkCount(float[][] v, int expected, String what) {
        if (v == null || v.length != expected) {
            throw new Bge4jException("the embedder returned " + (v == null ? "null" : v.length) + " vectors for "
                    + expected + " " + what + "; it must return one per text");
        }
        return v;
    }

    private static void scatter(float[][] vecs, List<Integer> idx, float[][] out) {
        for (int j = 0; j < idx.size(); j++) {
            out[idx.get(j)] = vecs[j];
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double dot(float[] q, EmbeddingMatrix m, int row) {
        double s = 0;
        for (int i = 0; i < q.length; i++) {
            s += q[i] * m.get(row, i);
        }
        return s;
    }

    /**
     * Options of a {@link DenseNegativeMiner}; {@link #build()} validates them and names the bad one.
     *
     * <p>Usage: {@code DenseNegativeMiner.builder().embedder(emb).rankWindow(10, 210).absoluteMargin(0.1).build()}
     */
    public static final class Builder {
        private Embedder embedder;
        private RankWindow window = RankWindow.of(10, 210);
        private int negativesPerQuery = 15;
        private double absoluteMargin = Double.NaN;
        private double relativeMargin = Double.NaN;
        private double maxScore = Double.NaN;
        private Selection selection = Selection.RANDOM;
        private long seed = 42;
        private boolean topUp = true;
        private TopKSearcher searcher = TopKSearcher.exact();
        private EmbeddingCache cache;

        private Builder() {
        }

        /**
         * @param embedder encodes queries, positives and the corpus (required; not closed by the miner)
         * @return this builder
         */
        public Builder embedder(Embedder embedder) {
            this.embedder = embedder;
            return this;
        }

        /**
         * @param from first rank, inclusive (0 = nearest document)
         * @param to last rank, exclusive; also the search depth
         * @return this builder
         */
        public Builder rankWindow(int from, int to) {
            this.window = RankWindow.of(from, to);
            return this;
        }

        /**
         * @param window the rank window
         * @return this builder
         */
        public Builder rankWindow(RankWindow window) {
            this.window = window;
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
         * @param margin drop a candidate whose score exceeds (weakest positive score - margin); &gt;= 0
         *     (NaN: off)
         * @return this builder
         */
        public Builder absoluteMargin(double margin) {
            this.absoluteMargin = margin;
            return this;
        }

        /**
         * @param margin drop a candidate whose score exceeds (weakest positive score × (1 - margin));
         *     in [0, 1) (NaN: off). {@code 0.05} keeps negatives at most 95% as similar as the positive.
         * @return this builder
         */
        public Builder relativeMargin(double margin) {
            this.relativeMargin = margin;
            return this;
        }

        /**
         * @param maxScore drop a candidate scoring above this, whatever the positive (NaN: off)
         * @return this builder
         */
        public Builder maxScore(double maxScore) {
            this.maxScore = maxScore;
            return this;
        }

        /**
         * @param selection TOP (hardest first) or RANDOM (seeded) within the window
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
         * @param searcher the top-k search (default: bge-core exact search)
         * @return this builder
         */
        public Builder searcher(TopKSearcher searcher) {
            this.searcher = searcher;
            return this;
        }

        /**
         * @param cache where corpus embeddings are cached by embedder fingerprint (null: no cache)
         * @return this builder
         */
        public Builder embeddingCache(EmbeddingCache cache) {
            this.cache = cache;
            return this;
        }

        /**
         * @return the miner
         * @throws IllegalArgumentException naming the bad option
         */
        public DenseNegativeMiner build() {
            if (embedder == null) {
                throw new IllegalArgumentException("embedder is required; call embedder(...)");
            }
            validateOptions();
            return new DenseNegativeMiner(this);
        }

        /** Checks every option except the embedder (lets a dynamic sampler fail at build time). */
        void validateOptions() {
            Objects.requireNonNull(window, "rankWindow");
            if (negativesPerQuery < 1) {
                throw new IllegalArgumentException("negativesPerQuery must be at least 1, was " + negativesPerQuery);
            }
            if (!Double.isNaN(absoluteMargin) && !(absoluteMargin >= 0 && Double.isFinite(absoluteMargin))) {
                throw new IllegalArgumentException("absoluteMargin must be a finite number >= 0 (or NaN for off), was "
                        + absoluteMargin);
            }
            if (!Double.isNaN(relativeMargin) && !(relativeMargin >= 0 && relativeMargin < 1)) {
                throw new IllegalArgumentException("relativeMargin must be in [0, 1) (or NaN for off), was "
                        + relativeMargin);
            }
            if (Double.isInfinite(maxScore)) {
                throw new IllegalArgumentException("maxScore must be finite (or NaN for off), was " + maxScore);
            }
            if (selection == null) {
                throw new IllegalArgumentException("selection must not be null");
            }
            if (searcher == null) {
                throw new IllegalArgumentException("searcher must not be null");
            }
        }
    }
}
