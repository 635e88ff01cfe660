package io.bge4j.spark.example;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.spark.SparkEmbedder;
import io.bge4j.spark.SparkExactSearch;
import io.bge4j.spark.SparkMining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Single node vs Spark in one JVM, same data, same order of magnitude of work:
 * <ul>
 *   <li>{@code debian <data dir> <docs> <queries>}: encode the first {@code docs} Debian documents
 *       with bge-small-en-v1.5 (local {@code Embedder} vs {@link SparkEmbedder}), then mine hard
 *       negatives for up to {@code queries} training queries (single-node {@link DenseNegativeMiner}
 *       vs the Spark-wired one, encoding included);</li>
 *   <li>{@code synthetic <docs> <dim> <queries>}: mining only, over random unit vectors (an
 *       embedder that looks vectors up by text), window [10, 210), 15 negatives.</li>
 * </ul>
 * Prints one line per measurement (seconds) and the Spark / single-node ratio. The master is
 * {@code local[2]} unless given ({@code -Dspark.master=...}).
 *
 * <p>Usage: {@code SparkBenchmark synthetic 1000000 384 1000}
 */
public final class SparkBenchmark {

    private SparkBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        SparkConf conf = new SparkConf().setAppName("bge4j-spark-bench").setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.ui.enabled", "false").setIfMissing("spark.driver.maxResultSize", "4g");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            if (args[0].equals("debian")) {
                debian(spark, Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            } else {
                synthetic(spark, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            }
        } finally {
            spark.stop();
        }
    }

    private static void report(String what, double single, double onSpark) {
        System.out.printf(Locale.ROOT, "%-40s single %8.2f s   spark %8.2f s   ratio %.2f%n", what, single, onSpark,
                onSpark / single);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void debian(SparkSession spark, Path data, int nDocs, int nQueries) {
        List<CorpusDocument> all = Corpus.readJsonl(data.resolve("corpus.jsonl")).documents();
        Corpus corpus = Corpus.of(new ArrayList<>(all.subList(0, Math.min(nDocs, all.size()))));
        Set<String> texts = new HashSet<>(corpus.fullTexts());
        List<TrainingExample> train = new ArrayList<>();
        for (TrainingExample e : TrainingSet.readJsonl(data.resolve("train.jsonl")).examples()) {
            if (train.size() < nQueries && texts.contains(e.positives().get(0))) {
                train.add(e);
            }
        }
        String model = "bge-small-en-v1.5";
        SparkEmbedder onSpark = SparkEmbedder.builder(spark).modelPath(model).batchSize(32).maxLength(128).build();
        try (BgeModel m = BgeModel.load(model); Embedder local = m.embedder().batchSize(32).maxLength(128).build()) {
            List<String> warm = corpus.fullTexts().subList(0, Math.min(64, corpus.size()));
            local.encodeCorpus(warm);
            onSpark.encodeCorpus(warm);
            long t0 = System.nanoTime();
            local.encodeCorpus(corpus.fullTexts());
            double single = seconds(t0);
            t0 = System.nanoTime();
            onSpark.encodeCorpus(corpus.fullTexts());
            report("encode " + corpus.size() + " docs (bge-small)", single, seconds(t0));

            t0 = System.nanoTime();
            SamplingResult a = DenseNegativeMiner.builder().embedder(local).rankWindow(10, 60).negativesPerQuery(7)
                    .build().sample(train, corpus);
            single = seconds(t0);
            t0 = System.nanoTime();
            SamplingResult b = SparkMining.denseMiner(onSpark, SparkExactSearch.builder(spark)
                    .chunkSize((corpus.size() + 1) / 2).build()).rankWindow(10, 60).negativesPerQuery(7).build()
                    .sample(train, corpus);
            report("mine " + train.size() + " queries x " + corpus.size() + " docs (encode+search)", single, seconds(t0));
            System.out.println("same report: " + a.report().equals(b.report()) + ", same negatives: "
                    + a.examples().equals(b.examples()));
        }
    }

    static void synthetic(SparkSession spark, int nDocs, int dim, int nQueries) {
        float[][] docs = new float[nDocs][];
        for (int i = 0; i < nDocs; i++) {
            docs[i] = unit(new SplittableRandom(i), dim);
        }
        List<CorpusDocument> cd = new ArrayList<>(nDocs);
        for (int i = 0; i < nDocs; i++) {
            cd.add(new CorpusDocument("d" + i, "", "d" + i));
        }
        Corpus corpus = Corpus.of(cd);
        List<TrainingExample> train = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(99);
        for (int i = 0; i < nQueries; i++) {
            train.add(TrainingExample.of("q" + i, List.of("d" + rng.nextInt(nDocs)), List.of()));
        }
        Embedder lookup = new LookupEmbedder(docs, dim);
        // warm-up on a small corpus so that neither side pays the JIT / engine start
        Corpus small = Corpus.of(cd.subList(0, Math.min(20_000, nDocs)));
        List<TrainingExample> few = train.subList(0, Math.min(50, nQueries)).stream()
                .map(e -> TrainingExample.of(e.query(), List.of("d1"), List.of())).toList();
        DenseNegativeMiner.builder().embedder(lookup).build().sample(few, small);
        SparkMining.denseMiner(lookup, SparkExactSearch.builder(spark).build()).build().sample(few, small);

        long t0 = System.nanoTime();
        SamplingResult a = DenseNegativeMiner.builder().embedder(lookup).rankWindow(10, 210).negativesPerQuery(15)
                .selection(Selection.RANDOM).build().sample(train, corpus);
        double single = seconds(t0);
        t0 = System.nanoTime();
        SamplingResult b = SparkMining.denseMiner(lookup, SparkExactSearch.builder(spark).build()).rankWindow(10, 210)
                .negativesPerQuery(15).selection(Selection.RANDOM).build().sample(train, corpus);
        report("mine " + nQueries + " queries x " + nDocs + " x " + dim + " (search+pick)", single, seconds(t0));
        System.out.println("same report: " + a.report().equals(b.report()) + ", same negatives: "
                + a.examples().equals(b.examples()));
    }

    static float[] unit(SplittableRandom rng, int d) {
        float[] v = new float[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) rng.nextGaussian();
            n += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < d; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** Vectors by text: "d<i>" is document i's precomputed vector, "q<j>" a seeded random unit vector. */
    private static final class LookupEmbedder implements Embedder {
        private final float[][] docs;
        private final int dim;

        LookupEmbedder(float[][] docs, int dim) {
            this.docs = docs;
            this.dim = dim;
        }

        @Override
        public float[][] encodeQueries(List<String> queries) {
            return encode(queries);
        }

        @Override
        public float[][] encodeCorpus(List<String> documents) {
            return encode(documents);
        }

        @Override
        public float[][] encode(List<String> texts) {
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                int id = Integer.parseInt(t.substring(1));
                out[i] = t.charAt(0) == 'd' ? docs[id] : unit(new SplittableRandom(-1 - id), dim);
            }
            return out;
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public String fingerprint() {
            return "lookup-" + docs.length + "-" + dim;
        }

        @Override
        public void close() {
        }
    }
}
