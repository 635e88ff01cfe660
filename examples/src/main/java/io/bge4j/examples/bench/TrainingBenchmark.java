package io.bge4j.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.core.DjlRuntime;
import io.bge4j.core.EncoderConfig;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training throughput of a real model on CPU or GPU: examples/s, tokens/s and achieved FLOP/s as a
 * fraction of the GEMM FLOP/s measured in the same JVM.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.bench.TrainingBenchmark [model] [batch] [group] [qlen] [plen] [steps] [gradCache]}
 */
public final class TrainingBenchmark {

    private TrainingBenchmark() {}

    /**
     * @param args model (default bge-small-en-v1.5), B (32), G (8), query len (64), passage len (256),
     *     steps (4, plus one warm-up), GradCache mini-batch (0 = off)
     */
    public static void main(String[] args) throws Exception {
        String modelName = arg(args, 0, "bge-small-en-v1.5");
        int b = Integer.parseInt(arg(args, 1, "32"));
        int g = Integer.parseInt(arg(args, 2, "8"));
        int qlen = Integer.parseInt(arg(args, 3, "64"));
        int plen = Integer.parseInt(arg(args, 4, "256"));
        int steps = Integer.parseInt(arg(args, 5, "4"));
        int gc = Integer.parseInt(arg(args, 6, "0"));
        PrintStream out = System.out;
        double gemm = gemmFlops(2048, 5);
        out.printf("GEMM 2048x2048 fp32: %.1f GFLOP/s (%s)%n", gemm / 1e9, DjlRuntime.defaultDevice());
        try (BgeModel model = BgeModel.load(modelName)) {
            TrainingSet set = syntheticSet(b * (steps + 1), g, qlen, plen);
            long t0 = System.nanoTime();
            FinetuneResult r = Finetuner.builder().model(model).trainingSet(set).batchSize(b).groupSize(g)
                    .queryMaxLength(qlen).passageMaxLength(plen).maxSteps(steps + 1).gradientCache(gc).build().fit();
            double wall = (System.nanoTime() - t0) / 1e9;
            List<StepRecord> timed = r.steps().subList(1, r.steps().size());
            double secs = 0;
            for (StepRecord s : timed) {
                secs += b / s.examplesPerSecond();
            }
            double perStep = secs / timed.size();
            double flops = stepFlops(model.config(), b, g, qlen, plen);
            out.printf("model %s  B=%d G=%d lengths %d/%d  gradCache=%d%n", modelName, b, g, qlen, plen, gc);
            out.printf("step time %.2f s  examples/s %.2f  tokens/s %.0f%n", perStep, b / perStep,
                    (b * qlen + (double) b * g * plen) / perStep);
            out.printf("achieved %.1f GFLOP/s = %.0f%% of GEMM (model FLOPs %.2f TFLOP/step)%n", flops / perStep / 1e9,
                    100 * flops / perStep / gemm, flops / 1e12);
            out.printf("peak RSS %d MiB, wall %.1f s%n", peakRssMiB(), wall);
        }
    }

    /** Texts that tokenize to exactly the given lengths: every example is full-length. */
    static TrainingSet syntheticSet(int n, int g, int qlen, int plen) {
        Random r = new Random(1);
        String[] words = {"package", "library", "server", "kernel", "driver", "python", "module", "data", "file", "tool"};
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> negs = new ArrayList<>();
            for (int k = 0; k < g - 1; k++) {
                negs.add(text(r, words, plen));
            }
            ex.add(TrainingExample.of(text(r, words, qlen), List.of(text(r, words, plen)), negs));
        }
        return TrainingSet.of("synthetic", ex);
    }

    private static String text(Random r, String[] words, int tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        return sb.toString();
    }

    /** Forward + backward ≈ 3 × forward FLOPs of the encoder at full length (embedding lookups ignored). */
    static double stepFlops(EncoderConfig c, int b, int g, int qlen, int plen) {
        return 3 * (forwardFlops(c, qlen) * b + forwardFlops(c, plen) * (double) b * g);
    }

    static double forwardFlops(EncoderConfig c, int t) {
        double h = c.hiddenSize();
        double linear = 2.0 * t * (4 * h * h + 2 * h * c.intermediateSize());
        double attention = 2.0 * 2 * (double) t * t * h;
        return c.numHiddenLayers() * (linear + attention);
    }

    static double gemmFlops(int n, int reps) {
        try (NDManager m = NDManager.newBaseManager(DjlRuntime.defaultDevice())) {
            NDArray a = m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(n, n));
            a.matMul(b).close();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                NDArray c = a.matMul(b);
                c.getFloat(0, 0);
                c.close();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return 2.0 * n * n * n * reps / s;
        }
    }

    static long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static String arg(String[] a, int i, String d) {
        return a.length > i ? a[i] : d;
    }
}
