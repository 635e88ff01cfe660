package io.bge4j.examples.bench;

import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import io.bge4j.train.TrainingListener;
import io.bge4j.train.TrainingPlan;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Step time of the plain step against GradCache at the same batch, on real training data, interleaved in one
 * JVM so that both see the same machine: each round runs every strategy for a few steps on the same examples
 * and seed (so the same batches), timing each step by the wall clock between the trainer's step callbacks.
 * Reports per strategy the median step time (the first step of each fit left out as warm-up), real tokens/s,
 * padding efficiency, and achieved FLOP/s counting real tokens only as a fraction of a 2048² fp32 GEMM measured
 * in the same JVM; and per round the GradCache / plain ratio.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.bench.StepTimeBenchmark mined.jsonl
 * [model] [batch] [group] [qlen] [plen] [chunk] [steps] [rounds] [strategies]}, strategies a comma list of
 * {@code plain}, {@code gc} (GradCache with its default keyed dropout) and {@code gc-unkeyed}.
 */
public final class StepTimeBenchmark {

    private StepTimeBenchmark() {}

    /** One timed step. */
    record Timed(double seconds, double examples, double realTokens, double padding) {}

    /**
     * @param args training file, model (bge-small-en-v1.5), B (16), G (3), query len (32), passage len (96),
     *     GradCache chunk (8), steps per fit (4), rounds (2), strategies (plain,gc,gc-unkeyed)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String modelName = arg(args, 1, "bge-small-en-v1.5");
        int b = Integer.parseInt(arg(args, 2, "16"));
        int g = Integer.parseInt(arg(args, 3, "3"));
        int qlen = Integer.parseInt(arg(args, 4, "32"));
        int plen = Integer.parseInt(arg(args, 5, "96"));
        int chunk = Integer.parseInt(arg(args, 6, "8"));
        int steps = Integer.parseInt(arg(args, 7, "4"));
        int rounds = Integer.parseInt(arg(args, 8, "2"));
        List<String> strategies = Arrays.asList(arg(args, 9, "plain,gc,gc-unkeyed").split(","));
        PrintStream out = System.out;
        TrainingSet set = TrainingSet.readJsonl(file);
        double gemm = TrainingBenchmark.gemmFlops(2048, 5);
        out.printf(Locale.ROOT, "GEMM 2048x2048 fp32: %.1f GFLOP/s; %d examples from %s; B=%d G=%d %d/%d tokens,"
                + " chunk %d, %d steps per fit, %d rounds%n", gemm / 1e9, set.size(), file, b, g, qlen, plen, chunk,
                steps, rounds);
        try (BgeModel model = BgeModel.load(modelName)) {
            EncoderConfig c = model.config();
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double plainMedian = Double.NaN;
                for (String s : strategies) {
                    List<Timed> t = run(model, set, s, b, g, qlen, plen, chunk, steps, round == 1 ? out : null);
                    List<Timed> timed = t.subList(Math.min(1, t.size()), t.size());
                    double median = median(timed.stream().mapToDouble(Timed::seconds).toArray());
                    double secs = timed.stream().mapToDouble(Timed::seconds).sum();
                    double real = timed.stream().mapToDouble(Timed::realTokens).sum();
                    double texts = timed.stream().mapToDouble(x -> x.examples() * (1 + g)).sum();
                    double flops = realTokenFlops(c, real, texts);
                    out.printf(Locale.ROOT, "round %d %-10s step times %s s | median %.2f s | %.0f real tokens/s |"
                            + " padding efficiency %.0f%% | %.1f GFLOP/s = %.0f%% of GEMM (real tokens, useful FLOPs)%n",
                            round, s, times(t), median, real / secs,
                            100 * timed.stream().mapToDouble(Timed::padding).average().orElse(Double.NaN),
                            flops / secs / 1e9, 100 * flops / secs / gemm);
                    if (s.equals("plain")) {
                        plainMedian = median;
                    } else if (!Double.isNaN(plainMedian)) {
                        out.printf(Locale.ROOT, "round %d %s / plain = %.2f%n", round, s, median / plainMedian);
                        if (s.equals("gc")) {
                            ratios.add(median / plainMedian);
                        }
                    }
                }
            }
            out.println("gc / plain per round: " + ratios);
        }
    }

    private static List<Timed> run(BgeModel model, TrainingSet set, String strategy, int b, int g, int qlen, int plen,
            int chunk, int steps, PrintStream plans) {
        List<Timed> timed = new ArrayList<>();
        TrainingListener clock = new TrainingListener() {
            private long last;

            @Override
            public void onStart(TrainingPlan plan) {
                last = System.nanoTime();
            }

            @Override
            public void onStep(StepRecord r) {
                long now = System.nanoTime();
                double s = (now - last) / 1e9;
                last = now;
                timed.add(new Timed(s, r.examplesPerSecond() * s, r.tokensPerSecond() * s, r.paddingEfficiency()));
            }
        };
        Finetuner.Builder f = Finetuner.builder().model(model).trainingSet(set).batchSize(b).groupSize(g)
                .queryMaxLength(qlen).passageMaxLength(plen).maxSteps(steps).seed(1).listener(clock);
        switch (strategy) {
            case "plain" -> f.gradientCache(0).keyedDropout(false);
            case "gc" -> f.gradientCache(chunk);
            case "gc-unkeyed" -> f.gradientCache(chunk).keyedDropout(false);
            default -> throw new IllegalArgumentException("unknown strategy " + strategy
                    + "; expected plain, gc or gc-unkeyed");
        }
        FinetuneResult r = f.build().fit();
        if (plans != null) {
            for (TrainingDiagnostic d : r.diagnostics()) {
                if (d.code().equals("MEMORY_PLAN")) {
                    plans.println(strategy + ": " + d.message().lines().findFirst().orElse(""));
                }
            }
        }
        return timed;
    }

    /**
     * Forward + backward ≈ 3 × the encoder's forward FLOPs over the real tokens: per token and layer the
     * linears ({@code 2(4H² + 2HI)}) and attention ({@code 4·t̄·H}, t̄ the mean real text length, which
     * under-counts long texts: the figure is a lower bound).
     */
    static double realTokenFlops(EncoderConfig c, double realTokens, double texts) {
        double h = c.hiddenSize();
        double meanLength = texts > 0 ? realTokens / texts : 0;
        double perToken = 2 * (4 * h * h + 2 * h * c.intermediateSize()) + 4 * meanLength * h;
        return 3 * c.numHiddenLayers() * perToken * realTokens;
    }

    private static String times(List<Timed> t) {
        StringBuilder sb = new StringBuilder("[");
        for (Timed x : t) {
            sb.append(sb.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", x.seconds()));
        }
        return sb.append(']').toString();
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String arg(String[] a, int i, String d) {
        return a.length > i ? a[i] : d;
    }
}
