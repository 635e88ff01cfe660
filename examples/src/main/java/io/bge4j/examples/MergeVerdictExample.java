package io.bge4j.examples;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MeanInterval;
import io.bge4j.eval.verdict.ModelRanking;
import io.bge4j.train.merge.MergeRatioSearch;
import io.bge4j.train.merge.MergeResult;
import io.bge4j.train.merge.ModelMerger;
import io.bge4j.train.merge.RatioSearchResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * After the quickstart: did fine-tuning help, and did it cost general quality? Searches the base/tuned merge
 * ratio on the quickstart's dev split with the WordNet general-domain guard's dev split bounded to a 0.01
 * nDCG@10 drop, writes the merge at the chosen ratio as a model directory (streamed by {@link ModelMerger}),
 * loads it back, and reports test nDCG@10 on the quickstart's test split and on the WordNet test split for the
 * base, the tuned and the merged model, each with a bootstrap interval, the paired differences, the verdict and
 * the ranking of the three.
 *
 * <p>Usage (after {@code bge4j quickstart}): {@code java -cp examples/target/bge4j.jar
 * io.bge4j.examples.MergeVerdictExample [tuned=runs/quickstart/model] [output=runs/quickstart/merged]}
 */
public final class MergeVerdictExample {

    private MergeVerdictExample() {}

    /**
     * @param args optional tuned model directory and output directory
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path tunedDir = Path.of(args.length > 0 ? args[0] : "runs/quickstart/model");
        Path output = Path.of(args.length > 1 ? args[1] : "runs/quickstart/merged");
        PrintWriter out = new PrintWriter(System.out, true);
        Quickstart.Options o = Quickstart.Options.defaults();
        Quickstart.Splits sp = Quickstart.splits(o);
        Path wordnet = o.data().resolveSibling("wordnet-nouns-en");
        Evaluator targetDev = sp.devEvaluator();
        Evaluator targetTest = sp.testEvaluator();
        Evaluator generalDev = guard(wordnet, "dev");
        Evaluator generalTest = guard(wordnet, "test");
        long t0 = System.nanoTime();

        RatioSearchResult search;
        try (BgeModel base = BgeModel.load(o.model()); BgeModel tuned = BgeModel.load(tunedDir)) {
            search = MergeRatioSearch.builder().base(base).tuned(tuned).target(targetDev).general(generalDev)
                    .maxGeneralDrop(0.01).embedders(m -> embedder(m, o)).build().run();
        }
        out.println("ratio search on dev (target: quickstart dev, general: wordnet-nouns-en dev, drop <= 0.01):");
        out.print(search.table());
        double r = search.chosen().tunedWeight();
        MergeResult merged = ModelMerger.builder().add(o.model(), 1 - r).add(tunedDir.toString(), r)
                .weightsFrom(String.format(Locale.ROOT, "searched ratio: best quickstart dev nDCG@10 with a"
                        + " wordnet-nouns-en dev drop <= 0.01 (tuned weights %s)", search.points().stream()
                        .map(p -> String.format(Locale.ROOT, "%.2f", p.tunedWeight())).toList()))
                .build().mergeTo(output);
        out.printf("merged model (%.2f base + %.2f tuned) written to %s%n", 1 - r, r, merged.directory());

        Map<String, EvaluationResult[]> results = new LinkedHashMap<>();
        results.put("base", measure(o.model(), o, targetTest, generalTest, "base"));
        results.put("tuned", measure(tunedDir.toString(), o, targetTest, generalTest, "tuned"));
        results.put("merged", measure(merged.directory().toString(), o, targetTest, generalTest, "merged"));

        out.println();
        out.println("test nDCG@10 with 95% bootstrap intervals (500 Debian test queries over 750 docs;"
                + " 500 WordNet test queries over 3,000 glosses):");
        out.printf("%-8s %-26s %-26s%n", "model", "debian test", "wordnet test");
        for (Map.Entry<String, EvaluationResult[]> e : results.entrySet()) {
            out.printf("%-8s %-26s %-26s%n", e.getKey(), interval(e.getValue()[0]), interval(e.getValue()[1]));
        }
        EvaluationResult[] b = results.get("base");
        out.println();
        out.println("paired differences from the base (delta, 95% CI, p):");
        for (String m : List.of("tuned", "merged")) {
            EvaluationResult[] x = results.get(m);
            out.printf("%-8s debian %s | wordnet %s%n", m, delta(b[0], x[0]), delta(b[1], x[1]));
        }
        FinetuneVerdict v = FinetuneVerdict.of("debian test", Comparison.of(b[0], results.get("tuned")[0]),
                Map.of("wordnet test", Comparison.of(b[1], results.get("tuned")[1])), Metric.NDCG_AT_10);
        if (v.needsMerge() || search.chosen().tunedWeight() < 1) {
            v = v.withMerge(search.toSuggestion());
        }
        out.println();
        out.print(v.render());
        ModelRanking ranking = ModelRanking.of(List.of(b[0], results.get("tuned")[0], results.get("merged")[0]),
                Metric.NDCG_AT_10, o.seed());
        out.print(ranking.pairTable());
        out.println(ranking.verdict());
        out.printf("total %.1f min%n", (System.nanoTime() - t0) / 60e9);
    }

    private static RetrievalEvaluator guard(Path dir, String split) {
        BeirDataset d = BeirDataset.load(dir, split);
        return RetrievalEvaluator.builder().name("wordnet-" + split).queries(d.queries()).corpus(d.corpus())
                .qrels(d.qrels()).primary(Metric.NDCG_AT_10).build();
    }

    private static Embedder embedder(BgeModel m, Quickstart.Options o) {
        return m.embedder().maxLength(o.passageMaxLength()).batchSize(32).build();
    }

    private static EvaluationResult[] measure(String model, Quickstart.Options o, Evaluator target, Evaluator general,
            String name) {
        try (BgeModel m = BgeModel.load(model); Embedder e = embedder(m, o)) {
            return new EvaluationResult[] {target.evaluate(e).withName(name), general.evaluate(e).withName(name)};
        }
    }

    private static String interval(EvaluationResult r) {
        return MeanInterval.of(r, Metric.NDCG_AT_10, 2000, 42, 0.95).toString();
    }

    private static String delta(EvaluationResult base, EvaluationResult other) {
        MetricComparison c = Comparison.of(base, other).metric(Metric.NDCG_AT_10);
        return String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f] p %.4f", c.delta(), c.ciLow(), c.ciHigh(), c.pValue());
    }
}
