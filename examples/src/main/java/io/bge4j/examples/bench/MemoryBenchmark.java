package io.bge4j.examples.bench;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.Finetuner;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Native memory over a long run: trains a tiny random BERT for N steps (in-batch + group negatives,
 * cross-batch memory, GradCache optional) and prints the resident set size every 100 steps. Flat RSS
 * after warm-up means every step frees what it allocated.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.bench.MemoryBenchmark 1000 [gradCache]}
 */
public final class MemoryBenchmark {

    private MemoryBenchmark() {}

    /** @param args steps (default 1000), GradCache mini-batch (default 0) */
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int gc = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        List<TrainingExample> ex = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            String q = "query number " + i + " about topic " + (i % 17);
            String p = "passage " + i + " describes topic " + (i % 17) + " with detail " + (i * 7 % 31);
            List<String> negs = List.of("negative " + i + " on subject " + (i % 5), "other text " + i);
            ex.add(TrainingExample.of(q, List.of(p), negs));
            texts.add(q);
            texts.add(p);
            texts.addAll(negs);
        }
        try (BgeModel m = TinyModels.bert(texts, 1)) {
            List<long[]> samples = new ArrayList<>();
            Finetuner.builder().model(m).trainingSet(TrainingSet.of("mem", ex)).batchSize(16).groupSize(3)
                    .maxSteps(steps).gradientCache(gc).crossBatchMemory(64, 10).listener(new TrainingListener() {
                        @Override
                        public void onStep(StepRecord r) {
                            if (r.step() % 100 == 0) {
                                samples.add(new long[] {r.step(), rssMiB()});
                                System.out.printf("step %5d  RSS %d MiB%n", r.step(), rssMiB());
                            }
                        }
                    }).build().fit();
            if (samples.size() >= 3) {
                long first = samples.get(1)[1];
                long last = samples.get(samples.size() - 1)[1];
                System.out.printf("RSS from step %d to %d: %d -> %d MiB (%+d MiB)%n", samples.get(1)[0],
                        samples.get(samples.size() - 1)[0], first, last, last - first);
            }
        }
    }

    static long rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
