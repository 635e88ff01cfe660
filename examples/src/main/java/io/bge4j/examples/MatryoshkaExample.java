package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.Selection;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.train.Finetuner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Matryoshka on real data: fine-tunes bge-small-en-v1.5 twice on the quickstart's Debian training queries and
 * negatives (same seed, data and budget), once with the plain InfoNCE loss and once with a Matryoshka loss at
 * 384/256/128/64 dimensions, then evaluates the base and both tuned models on the quickstart's test split (500
 * queries; the test corpus shares no document with the mining corpus) with vectors truncated to each dimension
 * ({@code BgeEmbedder.Builder.dimension}). Prints nDCG@10 per model and dimension, and the paired difference of
 * each tuned model from the base at each dimension with its 95 % bootstrap interval. The Matryoshka model is
 * saved with its dimensions recorded.
 *
 * <p>Usage: {@code java -cp examples/target/bge4j.jar io.bge4j.examples.MatryoshkaExample [output=runs/matryoshka]}
 */
public final class MatryoshkaExample {

    /** The dimensions trained and evaluated. */
    static final List<Integer> DIMS = List.of(384, 256, 128, 64);

    private MatryoshkaExample() {}

    /**
     * @param args optional output directory
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "runs/matryoshka");
        PrintWriter out = new PrintWriter(System.out, true);
        Quickstart.Options o = Quickstart.Options.defaults();
        Quickstart.Splits sp = Quickstart.splits(o);
        RetrievalEvaluator test = sp.testEvaluator();
        long t0 = System.nanoTime();
        Files.createDirectories(output);
        Map<String, Map<Integer, EvaluationResult>> results = new LinkedHashMap<>();
        List<TrainingExample> mined;
        try (BgeModel base = BgeModel.load(o.model())) {
            results.put("base", evaluate(base, o, test, "base"));
            out.printf("base evaluated (%.0f s)%n", secs(t0));
            mined = mine(base, sp, o);
        }
        for (boolean matryoshka : List.of(false, true)) {
            String name = matryoshka ? "matryoshka" : "plain";
            try (BgeModel model = BgeModel.load(o.model())) {
                Finetuner.Builder b = Finetuner.builder().model(model).trainingSet(TrainingSet.of("debian-train", mined))
                        .batchSize(o.batchSize()).groupSize(o.groupSize()).queryMaxLength(o.queryMaxLength())
                        .passageMaxLength(o.passageMaxLength()).learningRate(o.learningRate()).epochs(o.epochs())
                        .seed(o.seed()).lengthBucketing(true);
                if (matryoshka) {
                    b.matryoshka(DIMS, Collections.nCopies(DIMS.size(), 1.0));
                }
                b.build().fit();
                out.printf("%s model trained (%.0f s)%n", name, secs(t0));
                if (matryoshka) {
                    model.setMatryoshkaDimensions(DIMS);
                    model.save(output.resolve("model"));
                }
                results.put(name, evaluate(model, o, test, name));
                out.printf("%s model evaluated (%.0f s)%n", name, secs(t0));
            }
        }
        out.println();
        out.println(table(results));
        out.printf("total %.1f min%n", secs(t0) / 60);
    }

    private static List<TrainingExample> mine(BgeModel base, Quickstart.Splits sp, Quickstart.Options o) {
        List<TrainingExample> examples = new ArrayList<>();
        for (String q : sp.trainIds()) {
            List<String> pos = new ArrayList<>();
            for (String d : sp.train().qrels().judgements(q).keySet()) {
                sp.all().byId(d).ifPresent(doc -> pos.add(doc.fullText()));
            }
            examples.add(TrainingExample.of(sp.train().queries().text(q), pos, List.of()));
        }
        try (Embedder e = base.embedder().maxLength(o.passageMaxLength()).batchSize(32).build()) {
            SamplingResult r = DenseNegativeMiner.builder().embedder(e).rankWindow(2, 40)
                    .negativesPerQuery(o.groupSize() - 1).relativeMargin(0.05).selection(Selection.RANDOM).seed(o.seed())
                    .build().sample(examples, sp.mineCorpus());
            return r.examples();
        }
    }

    private static Map<Integer, EvaluationResult> evaluate(BgeModel m, Quickstart.Options o, RetrievalEvaluator test,
            String name) {
        Map<Integer, EvaluationResult> byDim = new LinkedHashMap<>();
        for (int d : DIMS) {
            try (Embedder e = m.embedder().maxLength(o.passageMaxLength()).batchSize(32).dimension(d).build()) {
                byDim.put(d, test.evaluate(e).withName(name + "@" + d));
            }
        }
        return byDim;
    }

    /** nDCG@10 per model and dimension, then each tuned model's paired difference from the base. */
    static String table(Map<String, Map<Integer, EvaluationResult>> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-11s", "nDCG@10"));
        for (int d : DIMS) {
            sb.append(String.format(Locale.ROOT, " %8s", "d=" + d));
        }
        sb.append('\n');
        for (Map.Entry<String, Map<Integer, EvaluationResult>> e : results.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-11s", e.getKey()));
            for (int d : DIMS) {
                sb.append(String.format(Locale.ROOT, " %8.4f", e.getValue().get(d).mean(Metric.NDCG_AT_10)));
            }
            sb.append('\n');
        }
        Map<Integer, EvaluationResult> base = results.get("base");
        for (Map.Entry<String, Map<Integer, EvaluationResult>> e : results.entrySet()) {
            if (e.getKey().equals("base")) {
                continue;
            }
            for (int d : DIMS) {
                MetricComparison c = Comparison.of(base.get(d), e.getValue().get(d)).metric(Metric.NDCG_AT_10);
                sb.append(String.format(Locale.ROOT, "%s - base at d=%d: %+.4f [%+.4f, %+.4f] p %.4f%n", e.getKey(), d,
                        c.delta(), c.ciLow(), c.ciHigh(), c.pValue()));
            }
        }
        return sb.toString();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
