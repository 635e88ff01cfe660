package io.bge4j.core.bench;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.OrtReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Embedding throughput of bge-small-en-v1.5 in bge4j (DJL/libtorch) against ONNX Runtime on the same
 * texts (~200 tokens each), the same batch size and the same number of threads, in one JVM.
 *
 * <p>Usage: see docs/benchmarks.md ("Embedding throughput").
 */
public final class EmbeddingBenchmark {

    private EmbeddingBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int threads = Runtime.getRuntime().availableProcessors();
        String[] words = ("the package provides a library for parsing and writing files with support for many"
                + " formats including compressed archives network protocols and command line tools").split(" ");
        Random r = new Random(1);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 170 + r.nextInt(20); w++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            texts.add(sb.toString());
        }
        try (BgeModel model = BgeModel.load("bge-small-en-v1.5");
                Embedder emb = model.embedder().batchSize(batch).build();
                OrtReference ort = new OrtReference("bge-small-en-v1.5.onnx", threads)) {
            long[][] ids = model.tokenizer().encode(texts, 512);
            double meanTokens = Arrays.stream(ids).mapToInt(a -> a.length).average().orElse(0);
            emb.encode(texts.subList(0, batch)); // warm-up
            ort.embed(Arrays.copyOfRange(ids, 0, batch));
            double best4j = Double.MAX_VALUE;
            double bestOrt = Double.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                emb.encode(texts);
                best4j = Math.min(best4j, (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                for (int s = 0; s < n; s += batch) {
                    ort.embed(Arrays.copyOfRange(ids, s, Math.min(n, s + batch)));
                }
                bestOrt = Math.min(bestOrt, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("texts %d, mean %.0f tokens, batch %d, threads %d%n", n, meanTokens, batch, threads);
            System.out.printf("bge4j (DJL/libtorch, incl. tokenization): %.1f texts/s%n", n / best4j);
            System.out.printf("ONNX Runtime (pre-tokenized):              %.1f texts/s%n", n / bestOrt);
            System.out.printf("ratio bge4j / ORT: %.2f%n", bestOrt / best4j);
        }
    }
}
