package io.bge4j.eval.bench;

import io.bge4j.core.search.EmbeddingMatrix;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.search.SearchHits;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of {@link ExactSearch} over random L2-normalised vectors: queries per second for each corpus
 * size, then peak heap (sum of the heap pools' peaks) and peak RSS ({@code VmHWM} of
 * {@code /proc/self/status}) of the whole process. Not a unit test; run it by hand (see docs/benchmarks.md).
 *
 * <p>Usage: {@code java -Xmx3g -Dai.djl.offline=true -cp ... io.bge4j.eval.bench.ExactSearchBenchmark
 * [corpusSizes=100000,1000000] [queries=1000] [dim=384] [k=100] [chunk=50000] [batch=256]}
 */
public final class ExactSearchBenchmark {
    private ExactSearchBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String[] sizes = (args.length > 0 ? args[0] : "100000,1000000").split(",");
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int dim = args.length > 2 ? Integer.parseInt(args[2]) : 384;
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int chunk = args.length > 4 ? Integer.parseInt(args[4]) : ExactSearch.DEFAULT_CHUNK_SIZE;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : ExactSearch.DEFAULT_QUERY_BATCH_SIZE;
        ExactSearch search = ExactSearch.builder().k(k).chunkSize(chunk).queryBatchSize(batch).build();
        System.out.printf(Locale.ROOT, "exact search: dim %d, k %d, %d queries, chunk %d rows, query batch %d, %d cpus%n",
                dim, k, queries, chunk, batch, Runtime.getRuntime().availableProcessors());
        EmbeddingMatrix q = EmbeddingMatrix.wrap(randomUnit(new SplittableRandom(1), queries, dim), dim);
        for (String s : sizes) {
            int n = Integer.parseInt(s.strip());
            EmbeddingMatrix corpus = EmbeddingMatrix.wrap(randomUnit(new SplittableRandom(2), n, dim), dim);
            // warm-up: load the engine, touch the code paths
            search.search(EmbeddingMatrix.wrap(randomUnit(new SplittableRandom(3), 16, dim), dim), corpus);
            long t0 = System.nanoTime();
            List<SearchHits> hits = search.search(q, corpus);
            double seconds = (System.nanoTime() - t0) / 1e9;
            float check = 0;
            for (SearchHits h : hits) {
                check += h.scores()[0];
            }
            System.out.printf(Locale.ROOT, "corpus %,d x %d: %,d queries in %.2f s = %.1f queries/s "
                            + "(mean top-1 score %.4f)%n", n, dim, queries, seconds, queries / seconds,
                    check / hits.size());
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "peak heap %.0f MiB (max heap %.0f MiB), %s%n", peakHeap / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0, procStatus());
    }

    static float[] randomUnit(SplittableRandom rnd, int rows, int dim) {
        float[] data = new float[Math.multiplyExact(rows, dim)];
        for (int r = 0; r < rows; r++) {
            double norm = 0;
            int off = r * dim;
            for (int j = 0; j < dim; j++) {
                float v = (float) rnd.nextGaussian();
                data[off + j] = v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dim; j++) {
                data[off + j] *= inv;
            }
        }
        return data;
    }

    private static String procStatus() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return "RSS n/a (no /proc)";
        }
        String hwm = "?";
        String rss = "?";
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                hwm = line.substring(6).strip();
            } else if (line.startsWith("VmRSS:")) {
                rss = line.substring(6).strip();
            }
        }
        return "peak RSS (VmHWM) " + hwm + ", current RSS " + rss;
    }
}
