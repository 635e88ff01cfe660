package io.bge4j.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.onnx.OnnxExportOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Inference throughput in one JVM on real texts (the shipped Debian corpus), same threads and batch size for
 * every engine: bge4j's default backend (ONNX Runtime on bge4j's fused export), bge4j's libtorch backend,
 * bge4j's int8 export, raw ONNX Runtime on the stock langchain4j bge-small-en-v1.5 ONNX file fed
 * length-sorted batches of pre-tokenized ids (tokenization not timed: in its favour), and langchain4j's own
 * {@code BgeSmallEnV15EmbeddingModel.embedAll}. Each engine: one warm-up pass on 8 texts, then the best of
 * {@code passes} timed passes (libtorch: one); engines interleave per pass so machine load hits all alike. Prints a table
 * of texts/s, tokens/s (non-padding tokens), ratios to raw ORT, and the min cosine of each engine's vectors
 * to libtorch's.
 *
 * <p>Usage: {@code InferenceBenchmark <corpus.jsonl> <texts> <batch> <threads> <passes> [tokenBudget]}
 */
public final class InferenceBenchmark {

    private InferenceBenchmark() {}

    interface Engine {
        float[][] run(List<String> texts) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "data/debian-packages-en/corpus.jsonl");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        int budget = args.length > 5 ? Integer.parseInt(args[5]) : 2048;
        List<String> texts = readTexts(corpus, n);

        try (BgeModel model = BgeModel.load("bge-small-en-v1.5");
                BgeEmbedder onnx = model.embedder().batchSize(batch).threads(threads).tokenBudget(budget).build();
                BgeEmbedder int8 = model.embedder().batchSize(batch).threads(threads).tokenBudget(budget)
                        .backend(BgeEmbedder.Backend.ONNX).onnxPrecision(OnnxExportOptions.Precision.INT8).build();
                BgeEmbedder torch = model.embedder().batchSize(batch).tokenBudget(budget).backend(BgeEmbedder.Backend.TORCH).build();
                RawOrt raw = new RawOrt(threads)) {
            long[][] ids = model.tokenizer().encode(texts, 512);
            long tokens = 0;
            for (long[] s : ids) {
                tokens += s.length;
            }
            java.util.concurrent.ExecutorService lc4jPool = Executors.newFixedThreadPool(threads);
            BgeSmallEnV15EmbeddingModel lc4j = new BgeSmallEnV15EmbeddingModel(lc4jPool);
            Map<String, Engine> engines = new java.util.LinkedHashMap<>();
            engines.put("bge4j default (" + onnx.backend().name().toLowerCase(Locale.ROOT) + ", fused fp32)", onnx::encodeCorpus);
            engines.put("bge4j libtorch", torch::encodeCorpus);
            engines.put("bge4j onnx int8", int8::encodeCorpus);
            engines.put("raw ORT, stock file, sorted", t -> raw.embedSorted(ids, batch));
            engines.put("langchain4j embedAll", t -> {
                List<TextSegment> segs = new ArrayList<>();
                for (String s : t) {
                    segs.add(TextSegment.from(s));
                }
                return lc4j.embedAll(segs).content().stream().map(e -> e.vector()).toArray(float[][]::new);
            });
            Map<String, Double> best = new HashMap<>();
            Map<String, float[][]> vectors = new HashMap<>();
            for (Map.Entry<String, Engine> e : engines.entrySet()) {
                e.getValue().run(texts.subList(0, Math.min(8, texts.size()))); // warm-up
            }
            for (int p = 0; p < passes; p++) {
                for (Map.Entry<String, Engine> e : engines.entrySet()) {
                    if (p > 0 && e.getKey().equals("bge4j libtorch")) {
                        continue; // several times slower: timed once, to keep the run short
                    }
                    long t0 = System.nanoTime();
                    float[][] v = e.getValue().run(texts);
                    double s = (System.nanoTime() - t0) / 1e9;
                    best.merge(e.getKey(), s, Math::min);
                    vectors.put(e.getKey(), v);
                    System.err.printf(Locale.ROOT, "pass %d %-40s %.2f s%n", p + 1, e.getKey(), s);
                }
            }
            float[][] ref = vectors.get("bge4j libtorch");
            double rawS = best.get("raw ORT, stock file, sorted");
            System.out.printf(Locale.ROOT, "%d texts, %d tokens (mean %.1f), batch %d, bge4j token budget %d, %d threads, best of %d%n",
                    texts.size(), tokens, tokens / (double) texts.size(), batch, budget, threads, passes);
            System.out.println("| engine | seconds | texts/s | tokens/s | × raw ORT | min cosine to libtorch |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            for (String k : engines.keySet()) {
                double s = best.get(k);
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f | %,.0f | %.2f | %.6f |%n", k, s, texts.size() / s, tokens / s,
                        rawS / s, minCos(ref, vectors.get(k)));
            }
            lc4jPool.shutdownNow(); // its threads are not daemons: the JVM would not exit
        }
    }

    static double minCos(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += (double) a[i][j] * b[i][j];
                na += (double) a[i][j] * a[i][j];
                nb += (double) b[i][j] * b[i][j];
            }
            min = Math.min(min, dot / Math.sqrt(na * nb));
        }
        return min;
    }

    static List<String> readTexts(Path corpus, int n) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(corpus)) {
            String line;
            while (out.size() < n && (line = r.readLine()) != null) {
                JsonNode node = json.readTree(line);
                String title = node.path("title").asText("");
                String text = node.path("text").asText("");
                out.add(title.isEmpty() ? text : title + " " + text);
            }
        }
        return out;
    }

    /** ONNX Runtime on the langchain4j ONNX file: length-sorted batches, CLS + L2 in Java. */
    static final class RawOrt implements AutoCloseable {
        final OrtEnvironment env = OrtEnvironment.getEnvironment();
        final OrtSession session;

        RawOrt(int threads) throws Exception {
            byte[] bytes;
            try (InputStream in = RawOrt.class.getClassLoader().getResourceAsStream("bge-small-en-v1.5.onnx")) {
                bytes = in.readAllBytes();
            }
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.addConfigEntry("session.intra_op.allow_spinning", "0"); // as bge4j's sessions
            session = env.createSession(bytes, o);
        }

        float[][] embedSorted(long[][] ids, int batch) throws Exception {
            Integer[] order = new Integer[ids.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(ids[b].length, ids[a].length));
            float[][] out = new float[ids.length][];
            for (int s = 0; s < ids.length; s += batch) {
                int e = Math.min(ids.length, s + batch);
                int longest = ids[order[s]].length;
                int b = e - s;
                long[] flat = new long[b * longest];
                long[] mask = new long[flat.length];
                for (int i = 0; i < b; i++) {
                    long[] x = ids[order[s + i]];
                    System.arraycopy(x, 0, flat, i * longest, x.length);
                    Arrays.fill(mask, i * longest, i * longest + x.length, 1L);
                }
                long[] shape = {b, longest};
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape));
                in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]), shape));
                try (OrtSession.Result r = session.run(in)) {
                    FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer(); // [b, longest, 384], CLS at row 0
                    int d = 384;
                    for (int i = 0; i < b; i++) {
                        float[] v = new float[d];
                        fb.position(i * longest * d);
                        fb.get(v);
                        double norm = 0;
                        for (float f : v) {
                            norm += f * f;
                        }
                        norm = Math.max(Math.sqrt(norm), 1e-12);
                        for (int j = 0; j < d; j++) {
                            v[j] /= norm;
                        }
                        out[order[s + i]] = v;
                    }
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            session.close();
        }
    }
}
