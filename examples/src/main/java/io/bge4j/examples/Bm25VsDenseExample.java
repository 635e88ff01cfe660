package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.sampling.Bm25Language;
import io.bge4j.data.sampling.Bm25NegativeSampler;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.RandomNegativeSampler;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Lexical versus dense hard negatives, side by side: for a few training queries, negatives are
 * taken with {@link Bm25NegativeSampler} (words in common with the query) and with
 * {@link DenseNegativeMiner} (close to the query in the base model's embedding space), and for
 * reference with {@link RandomNegativeSampler}. The example prints them next to each other and the
 * mean base-model score (query · negative) of each set: the higher, the harder the set is for the
 * model you are about to fine-tune.
 *
 * <p>Both miners here take the best-ranked candidates (window {@code [0, 50)}, top selection) so the
 * comparison is about the ranking alone. For real training data, skip the first few ranks
 * (e.g. {@code rankWindow(10, 210)} and a margin) to avoid unlabelled positives.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.Bm25VsDenseExample
 * [model=bge-small-en-v1.5] [queries=5] [negatives=3] [corpusSize=2000]}
 */
public final class Bm25VsDenseExample {

    private Bm25VsDenseExample() {}

    /**
     * What the three samplers produced and how hard their negatives are for the base model.
     *
     * @param bm25 BM25 negatives with provenance (rank, BM25 score, topped up or not)
     * @param dense dense negatives with provenance
     * @param random random negatives
     * @param bm25MeanScore mean base-model score of every BM25 negative with its query
     * @param denseMeanScore the same for the dense negatives
     * @param randomMeanScore the same for the random negatives
     */
    public record Outcome(SamplingResult bm25, SamplingResult dense, SamplingResult random, double bm25MeanScore,
            double denseMeanScore, double randomMeanScore) {}

    /**
     * Mines {@code negatives} per example three ways, prints a side-by-side sample and the mean
     * scores.
     *
     * @param embedder the base model's embedder (used, not closed)
     * @param examples training examples (query + positives)
     * @param corpus where negatives come from
     * @param negatives negatives per query
     * @param language BM25 analyzer
     * @param seed random and BM25 tie seed
     * @param out where the comparison is printed
     * @return the negatives and their mean scores
     */
    public static Outcome run(Embedder embedder, List<TrainingExample> examples, Corpus corpus, int negatives,
            Bm25Language language, long seed, PrintWriter out) {
        SamplingResult bm25 = Bm25NegativeSampler.builder().language(language).rankWindow(0, 50)
                .negativesPerQuery(negatives).selection(Selection.TOP).seed(seed).build().sample(examples, corpus);
        SamplingResult dense = DenseNegativeMiner.builder().embedder(embedder).rankWindow(0, 50)
                .negativesPerQuery(negatives).selection(Selection.TOP).seed(seed).build().sample(examples, corpus);
        SamplingResult random = RandomNegativeSampler.builder().negativesPerQuery(negatives).seed(seed).build()
                .sample(examples, corpus);

        for (int i = 0; i < examples.size(); i++) {
            out.printf("%nquery: %s%n", examples.get(i).query());
            out.printf("  %-3s %-48s | %-48s%n", "#", "BM25", "dense (base model)");
            List<String> b = bm25.examples().get(i).negatives();
            List<String> d = dense.examples().get(i).negatives();
            for (int k = 0; k < Math.max(b.size(), d.size()); k++) {
                out.printf("  %-3d %-48s | %-48s%n", k + 1, k < b.size() ? clip(b.get(k)) : "",
                        k < d.size() ? clip(d.get(k)) : "");
            }
        }
        double bm25Score = meanScore(embedder, bm25.examples());
        double denseScore = meanScore(embedder, dense.examples());
        double randomScore = meanScore(embedder, random.examples());
        out.printf("%nmean base-model score of the negatives (query . negative):%n");
        out.printf("  BM25   %.4f%n  dense  %.4f%n  random %.4f%n", bm25Score, denseScore, randomScore);
        out.printf("  %s%n  %s%n", bm25.report().summary(), dense.report().summary());
        out.flush();
        return new Outcome(bm25, dense, random, bm25Score, denseScore, randomScore);
    }

    /**
     * @param embedder the model's embedder
     * @param examples examples with negatives
     * @return the mean inner product of each query (with the query instruction) with each of its
     *     negatives; NaN when there are no negatives
     */
    public static double meanScore(Embedder embedder, List<TrainingExample> examples) {
        List<String> queries = new ArrayList<>();
        List<String> passages = new ArrayList<>();
        for (TrainingExample e : examples) {
            queries.add(e.query());
            passages.addAll(e.negatives());
        }
        if (passages.isEmpty()) {
            return Double.NaN;
        }
        float[][] q = embedder.encodeQueries(queries);
        float[][] p = embedder.encodeCorpus(passages);
        double sum = 0;
        int row = 0;
        for (int i = 0; i < examples.size(); i++) {
            for (int k = 0; k < examples.get(i).negatives().size(); k++) {
                sum += dot(q[i], p[row++]);
            }
        }
        return sum / passages.size();
    }

    /**
     * @param args optional: model (preset or directory), queries, negatives per query, corpus size
     */
    public static void main(String[] args) {
        String modelName = args.length > 0 ? args[0] : "bge-small-en-v1.5";
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int negatives = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int corpusSize = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        Path data = Path.of("data/debian-packages-en");
        List<TrainingExample> examples = TrainingSet.readJsonl(data.resolve("train.jsonl")).sample(queries, 7)
                .examples();
        Corpus corpus = subCorpus(Corpus.readJsonl(data.resolve("corpus.jsonl")), examples, corpusSize, 7);
        try (BgeModel model = BgeModel.load(modelName);
                Embedder embedder = model.embedder().maxLength(128).batchSize(32).build()) {
            run(embedder, examples, corpus, negatives, Bm25Language.ENGLISH, 42, new PrintWriter(System.out, true));
        }
    }

    /**
     * A corpus small enough to encode in a minute on a CPU: the documents that are the examples'
     * positives plus random others.
     *
     * @param all the full corpus
     * @param examples the examples whose positives must be kept
     * @param size documents wanted in total
     * @param seed which random others
     * @return the smaller corpus
     */
    public static Corpus subCorpus(Corpus all, List<TrainingExample> examples, int size, long seed) {
        Map<String, CorpusDocument> keep = new LinkedHashMap<>();
        Map<String, CorpusDocument> byText = new LinkedHashMap<>();
        for (CorpusDocument d : all.documents()) {
            byText.putIfAbsent(d.fullText(), d);
        }
        for (TrainingExample e : examples) {
            for (String p : e.positives()) {
                CorpusDocument d = byText.get(p);
                if (d != null) {
                    keep.put(d.id(), d);
                }
            }
        }
        List<CorpusDocument> others = new ArrayList<>(all.documents());
        Collections.shuffle(others, new Random(seed));
        for (CorpusDocument d : others) {
            if (keep.size() >= size) {
                break;
            }
            keep.putIfAbsent(d.id(), d);
        }
        return Corpus.of(new ArrayList<>(keep.values()));
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static String clip(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 48 ? one : one.substring(0, 45) + "...";
    }
}
