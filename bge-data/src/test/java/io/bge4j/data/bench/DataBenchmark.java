package io.bge4j.data.bench;

import io.bge4j.core.Embedder;
import io.bge4j.data.FlagJsonlReader;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.JsonlExampleStream;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.sampling.Bm25NegativeSampler;
import io.bge4j.data.sampling.CorpusTextIndex;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Throughput of bge-data's I/O and mining on synthetic data (no model, no network).
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -o -pl bge-data -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xmx8g -Dai.djl.offline=true -cp bge-data/target/test-classes:bge-data/target/classes:$(cat bge-data/target/bench.cp) \
 *     io.bge4j.data.bench.DataBenchmark [jsonlMegabytes=100] [corpusDocs=100000] [queries=2000]
 * </pre>
 * It prints a Markdown table; results go to {@code docs/benchmarks.md}.
 */
public final class DataBenchmark {
    private static final int VOCABULARY = 30_000;
    private static final String QUERY_MARK = "\u0001";

    private DataBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int corpusDocs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        List<String> rows = new ArrayList<>();
        Path dir = Files.createTempDirectory("bge4j-bench");
        try {
            jsonl(dir, megabytes, rows);
            Corpus corpus = corpus(corpusDocs, new Random(1));
            List<TrainingExample> examples = queries(corpus, queries, new Random(2));
            bm25(corpus, examples, rows);
            dense(corpus, examples, rows);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.out.println();
        System.out.println("| Benchmark | Result |");
        System.out.println("|---|---|");
        rows.forEach(System.out::println);
    }

    /** Zipf-ish word: low ids far more frequent, as in natural text. */
    private static String word(SplittableRandom rnd) {
        int id = (int) Math.floor(Math.pow(VOCABULARY, rnd.nextDouble())) - 1;
        return "w" + Integer.toString(id, 36);
    }

    private static String text(SplittableRandom rnd, int words) {
        StringBuilder sb = new StringBuilder(words * 6);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(word(rnd));
            if (i % 11 == 10) {
                sb.append(i % 3 == 0 ? " 日本語のテキスト" : " é€");
            }
        }
        return sb.toString();
    }

    private static void jsonl(Path dir, int megabytes, List<String> rows) throws IOException {
        Path file = dir.resolve("bench.jsonl");
        long target = (long) megabytes << 20;
        SplittableRandom rnd = new SplittableRandom(7);
        List<TrainingExample> generated = new ArrayList<>();
        long approx = 0;
        while (approx < target) {
            List<String> neg = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                neg.add(text(rnd, 40 + rnd.nextInt(60)));
            }
            TrainingExample e = TrainingExample.of(text(rnd, 8), List.of(text(rnd, 40 + rnd.nextInt(60))), neg);
            approx += e.query().length() + e.positives().get(0).length() + neg.stream().mapToInt(String::length).sum()
                    + 40;
            generated.add(e);
        }
        long t0 = System.nanoTime();
        long written = FlagJsonlWriter.writeAll(file, generated);
        generated.clear();
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        double mb = Files.size(file) / 1048576.0;
        rows.add(String.format(Locale.ROOT, "| JSONL write (%.0f MB, %,d examples) | %.0f MB/s |", mb, written,
                mb / writeSeconds));
        FlagJsonlReader reader = FlagJsonlReader.builder().build();
        double best = 0;
        long count = 0;
        for (int run = 0; run < 3; run++) {
            long s = System.nanoTime();
            try (JsonlExampleStream st = reader.open(file)) {
                count = st.stream().count();
            }
            best = Math.max(best, mb / ((System.nanoTime() - s) / 1e9));
        }
        rows.add(String.format(Locale.ROOT, "| JSONL streaming read + validate (%,d examples, best of 3) | %.0f MB/s |",
                count, best));
        long s = System.nanoTime();
        TrainingSet set = reader.read(file).trainingSet();
        double loadSeconds = (System.nanoTime() - s) / 1e9;
        rows.add(String.format(Locale.ROOT, "| JSONL read into a TrainingSet (%,d examples) | %.0f MB/s |", set.size(),
                mb / loadSeconds));
    }

    private static Corpus corpus(int n, Random seed) {
        SplittableRandom rnd = new SplittableRandom(seed.nextLong());
        List<CorpusDocument> docs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            docs.add(new CorpusDocument("d" + i, "", text(rnd, 30 + rnd.nextInt(70))));
        }
        return Corpus.of(docs);
    }

    /** Each query: a few words of a random document, which is its positive. */
    private static List<TrainingExample> queries(Corpus corpus, int n, Random seed) {
        List<TrainingExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String doc = corpus.get(seed.nextInt(corpus.size())).fullText();
            String[] words = doc.split(" ");
            StringBuilder q = new StringBuilder();
            for (int j = 0; j < 6; j++) {
                q.append(words[seed.nextInt(words.length)]).append(' ');
            }
            out.add(TrainingExample.of(q.toString().trim(), List.of(doc), List.of()));
        }
        return out;
    }

    private static void bm25(Corpus corpus, List<TrainingExample> examples, List<String> rows) {
        CorpusTextIndex index = CorpusTextIndex.of(corpus);
        Bm25NegativeSampler sampler = Bm25NegativeSampler.builder().rankWindow(3, 103).negativesPerQuery(15)
                .selection(Selection.RANDOM).build();
        Corpus small = Corpus.of(corpus.documents().subList(0, Math.min(10_000, corpus.size())));
        sampler.sample(examples.subList(0, Math.min(200, examples.size())), small); // warm-up (JIT)
        long t0 = System.nanoTime();
        SamplingResult r = sampler.sample(examples, index);
        double sec = (System.nanoTime() - t0) / 1e9;
        rows.add(String.format(Locale.ROOT, "| BM25 sampler, English analyzer: index %,d docs + %,d queries, window "
                        + "[3,103), 15 negatives (%d threads) | %.1f s total, %,.0f queries/s incl. indexing |",
                corpus.size(), examples.size(), Runtime.getRuntime().availableProcessors(), sec,
                examples.size() / sec));
        if (r.report().examplesShort() > 0) {
            rows.add("| (BM25: " + r.report().examplesShort() + " examples short) | |");
        }
    }

    private static void dense(Corpus corpus, List<TrainingExample> examples, List<String> rows) {
        int dim = 384;
        Embedder emb = new RandomEmbedder(dim);
        // mark each query with its positive, so that the fake embedder puts it near that document's
        // vector (cosine ~0.8), as a trained model would; other documents score ~0 +- 0.05
        List<TrainingExample> marked = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            marked.add(TrainingExample.of(QUERY_MARK + e.positives().get(0) + QUERY_MARK + e.query(), e.positives(),
                    List.of()));
        }
        examples = marked;
        CorpusTextIndex index = CorpusTextIndex.of(corpus);
        DenseNegativeMiner miner = DenseNegativeMiner.builder().embedder(emb).rankWindow(10, 210).negativesPerQuery(15)
                .relativeMargin(0.05).build();
        Corpus small = Corpus.of(corpus.documents().subList(0, Math.min(10_000, corpus.size())));
        miner.sample(examples.subList(0, Math.min(50, examples.size())), small); // warm-up (loads the engine)
        long t0 = System.nanoTime();
        miner.sample(examples, index);
        double sec = (System.nanoTime() - t0) / 1e9;
        rows.add(String.format(Locale.ROOT, "| Dense miner: %,d queries against a %,d x %d embedding matrix (exact "
                        + "search, bge-core on DJL CPU), window [10,210), 15 negatives | %.1f s total, %,.0f queries/s "
                        + "(fake embedder: encoding costs ~nothing, so this is search + selection) |", examples.size(), corpus.size(), dim, sec,
                examples.size() / sec));
    }

    /** Pseudo-random unit vectors keyed by text: costs next to nothing, so only mining is timed. */
    private static final class RandomEmbedder implements Embedder {
        private final int dim;

        RandomEmbedder(int dim) {
            this.dim = dim;
        }

        private float[] unit(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (float) (r.nextDouble() - 0.5);
            }
            return normalize(v);
        }

        private static float[] normalize(float[] v) {
            double n = 0;
            for (float x : v) {
                n += x * x;
            }
            float inv = (float) (1 / Math.sqrt(n));
            for (int j = 0; j < v.length; j++) {
                v[j] *= inv;
            }
            return v;
        }

        private float[][] all(List<String> texts) {
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                if (t.startsWith(QUERY_MARK)) {
                    float[] doc = unit(t.substring(1, t.indexOf(QUERY_MARK, 1)).hashCode());
                    float[] noise = unit(t.hashCode());
                    float[] v = new float[dim];
                    for (int j = 0; j < dim; j++) {
                        v[j] = 0.8f * doc[j] + 0.6f * noise[j];
                    }
                    out[i] = normalize(v);
                } else {
                    out[i] = unit(t.hashCode());
                }
            }
            return out;
        }

        @Override
        public float[][] encodeQueries(List<String> q) {
            return all(q);
        }

        @Override
        public float[][] encodeCorpus(List<String> d) {
            return all(d);
        }

        @Override
        public float[][] encode(List<String> t) {
            return all(t);
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public String fingerprint() {
            return "random-" + dim;
        }

        @Override
        public void close() {
        }
    }
}
