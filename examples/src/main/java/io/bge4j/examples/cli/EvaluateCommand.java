package io.bge4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryCounts;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.TrecRunWriter;
import io.bge4j.eval.report.ComparisonReport;
import io.bge4j.eval.report.HtmlReport;
import io.bge4j.eval.report.JsonReport;
import io.bge4j.eval.report.ReportFiles;
import io.bge4j.eval.verdict.ModelRanking;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j evaluate}: dense retrieval evaluation of one or more models on a BEIR-layout split. With two or more
 * models the first is the base, and every other is compared with it (delta, paired-bootstrap confidence interval,
 * randomisation-test p-value); then every pair is tested ({@link ModelRanking}) and a verdict names the best model
 * and whether it is significantly better than the runner-up.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar evaluate --model bge-small-en-v1.5 --model runs/demo/best
 * --data data/debian-packages-en --split test --report report.html}
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate embedding models on a BEIR-layout data set (corpus.jsonl, queries.jsonl,"
                + " qrels/<split>.tsv, or FlagEmbedding's <split>_queries.jsonl/<split>_qrels.jsonl). Give --model"
                + " several times to compare: the first one is the base.")
final class EvaluateCommand implements Callable<Integer> {

    /** The metrics shown in the printed comparison, when computed. */
    static final List<Metric> HEADLINE = List.of(Metric.NDCG_AT_10, Metric.parse("recall@10"), Metric.MRR_AT_10,
            Metric.RECALL_AT_100, Metric.MAP_AT_100);

    /** Schema id of the JSON written when several models are evaluated. */
    static final String MULTI_SCHEMA = "bge4j.evaluate/1";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>",
            description = "Preset name or model directory; repeat to compare (the first is the base).")
    List<String> models;

    @Option(names = "--data", required = true, paramLabel = "<dir>", description = "Data set directory.")
    Path data;

    @Option(names = "--split", paramLabel = "<split>", defaultValue = "test",
            description = "Split to evaluate (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--output", paramLabel = "<results.json>",
            description = "Write the results as JSON (one model: mean and per_query; several: every result and"
                    + " every comparison with the base).")
    Path output;

    @Option(names = "--run", paramLabel = "<run.trec>",
            description = "Write the retrieved ranking as a TREC run file; give it once per --model, in the same order.")
    List<Path> runs;

    @Option(names = "--report", paramLabel = "<report.html>",
            description = "Write a self-contained HTML report (one model: its metrics; two: base vs the other;"
                    + " more: one page per compared model, numbered report-2.html, report-3.html, ...).")
    Path report;

    @Option(names = "--batch-size", paramLabel = "<N>", defaultValue = "32",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-length", paramLabel = "<N>",
            description = "Cap on tokens per text (default: the model's maximum).")
    Integer maxLength;

    @picocli.CommandLine.Mixin
    RerankOptions rerank = new RerankOptions();

    @Option(names = "--seed", paramLabel = "<N>", defaultValue = "42",
            description = "Seed of the bootstrap and randomisation test (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Override
    public Integer call() {
        if (runs != null && runs.size() != models.size()) {
            throw new ParameterException(spec.commandLine(), "--run must be given once per --model (" + models.size()
                    + " models, " + runs.size() + " run files)");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, was " + batchSize);
        }
        if (maxLength != null && maxLength < 2) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 2, was " + maxLength);
        }
        CliSupport.requireDirectory(data, "data set");
        PrintWriter out = spec.commandLine().getOut();
        BeirDataset ds = BeirDataset.load(data, split);
        // a comparison page lists the retrieved documents of the changed queries, so it needs the rankings
        boolean comparisonPage = report != null && models.size() > 1;
        RetrievalEvaluator evaluator = RetrievalEvaluator.builder().queries(ds.queries()).corpus(ds.corpus())
                .qrels(ds.qrels()).keepRun(runs != null || rerank.enabled() || comparisonPage).build();
        out.printf("%s split '%s': %d documents, %d judged queries%n", data, split, ds.corpus().size(),
                evaluator.queryIds().size());
        List<String> labels = labels(models);
        List<EvaluationResult> results = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            out.printf("evaluating %s ...%n", labels.get(i));
            out.flush();
            EvaluationResult r;
            try (BgeModel m = load(models.get(i)); Embedder e = inference.apply(m.embedder().batchSize(batchSize),
                    spec.commandLine().getErr()).build()) {
                r = evaluator.evaluate(e).withName(labels.get(i));
            }
            results.add(r);
            if (rerank.enabled()) {
                rerank.rerank(new RerankOptions.EvaluateCommandContext(ds, batchSize, seed), r, out);
            }
            if (runs != null) {
                TrecRunWriter.write(runs.get(i), r.run(), "bge4j");
                out.println("wrote run " + runs.get(i));
            }
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (int i = 1; i < results.size(); i++) {
            comparisons.add(Comparison.builder().base(results.get(0)).tuned(results.get(i)).seed(seed).build());
        }
        if (results.size() == 1) {
            EvaluationResult r = results.get(0);
            out.print(CliSupport.metricTable(r.mean()));
            QueryCounts c = r.counts();
            out.println(CliSupport.countsLine(c.evaluated(), c.withoutRelevant(), c.missingFromRun(),
                    c.notInQrels()));
        } else {
            out.print(summary(results));
            for (Comparison c : comparisons) {
                out.println();
                out.print(comparisonTable(c));
            }
            ModelRanking ranking = ModelRanking.of(results, results.get(0).primary(), seed);
            out.println();
            out.print(ranking.pairTable());
            out.println("verdict: " + ranking.verdict());
        }
        if (output != null) {
            if (results.size() == 1) {
                JsonReport.write(results.get(0), output);
            } else {
                ReportFiles.writeAtomically(output, multiJson(results, comparisons) + "\n");
            }
            out.println("wrote results " + output);
        }
        if (report != null) {
            if (results.size() == 1) {
                HtmlReport.write(results.get(0), report);
                out.println("wrote report " + report);
            } else if (comparisons.size() == 1) {
                HtmlReport.write(comparisonReport(comparisons.get(0), results.get(0), results.get(1), ds), report);
                out.println("wrote report " + report);
            } else {
                for (int i = 0; i < comparisons.size(); i++) {
                    Path p = numbered(report, i + 2);
                    HtmlReport.write(comparisonReport(comparisons.get(i), results.get(0), results.get(i + 1), ds), p);
                    out.println("wrote report " + p);
                }
            }
        }
        rerank.close();
        out.flush();
        return 0;
    }

    /** The comparison page with the rankings, so the changed queries show their relevant and retrieved documents. */
    static ComparisonReport comparisonReport(Comparison c, EvaluationResult base, EvaluationResult tuned,
            BeirDataset ds) {
        return ComparisonReport.builder(c).runs(base, tuned).corpus(ds.corpus()).qrels(ds.qrels()).build();
    }

    private BgeModel load(String nameOrPath) {
        return maxLength == null ? BgeModel.load(nameOrPath) : BgeModel.loader().maxLength(maxLength).load(nameOrPath);
    }

    /** Model arguments as labels, made unique with a {@code #n} suffix when one is repeated. */
    static List<String> labels(List<String> models) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String label = models.get(i);
            if (!seen.add(label)) {
                label = label + "#" + (i + 1);
                seen.add(label);
            }
            out.add(label);
        }
        return out;
    }

    /** {@code report.html} with n = 2 gives {@code report-2.html}. */
    static Path numbered(Path file, int n) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return file.resolveSibling(numbered);
    }

    private static List<Metric> headline(List<Metric> computed) {
        List<Metric> shown = new ArrayList<>();
        for (Metric m : HEADLINE) {
            if (computed.contains(m)) {
                shown.add(m);
            }
        }
        return shown;
    }

    /** One row per model, one column per headline metric. */
    static String summary(List<EvaluationResult> results) {
        List<Metric> shown = headline(results.get(0).metrics());
        List<String> header = new ArrayList<>();
        header.add("model");
        shown.forEach(m -> header.add(m.key()));
        List<List<String>> rows = new ArrayList<>();
        for (EvaluationResult r : results) {
            List<String> row = new ArrayList<>();
            row.add(r.name());
            shown.forEach(m -> row.add(CliSupport.fmt(r.mean(m))));
            rows.add(row);
        }
        return CliSupport.table(header, rows);
    }

    /** The headline metrics of one comparison: base, tuned, delta, confidence interval, p-value, wins/ties/losses. */
    static String comparisonTable(Comparison c) {
        int pct = (int) Math.round(c.confidence() * 100);
        StringBuilder sb = new StringBuilder();
        sb.append(c.tunedName()).append(" vs base ").append(c.baseName()).append(" (").append(c.queryIds().size())
                .append(" queries)\n");
        List<String> header = List.of("metric", "base", "tuned", "delta", pct + "% CI", "p", "wins/ties/losses");
        List<List<String>> rows = new ArrayList<>();
        for (Metric m : headline(c.metrics().stream().map(MetricComparison::metric).toList())) {
            MetricComparison mc = c.metric(m);
            rows.add(List.of(m.key(), CliSupport.fmt(mc.base()), CliSupport.fmt(mc.tuned()),
                    CliSupport.signed(mc.delta()),
                    "[" + CliSupport.signed(mc.ciLow()) + ", " + CliSupport.signed(mc.ciHigh()) + "]",
                    pValue(mc.pValue()), mc.wins() + "/" + mc.ties() + "/" + mc.losses()));
        }
        sb.append(CliSupport.table(header, rows));
        sb.append(pct).append("% CI: paired bootstrap over queries (").append(c.bootstrapSamples())
                .append(" resamples); p: two-sided paired randomisation test (").append(c.permutations())
                .append(" permutations); * = p < 0.05\n");
        return sb.toString();
    }

    static String pValue(double p) {
        String s = p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
        return p < 0.05 ? s + " *" : s;
    }

    private static String multiJson(List<EvaluationResult> results, List<Comparison> comparisons) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("schema", MULTI_SCHEMA);
        root.put("base", results.get(0).name());
        ArrayNode rs = root.putArray("results");
        results.forEach(r -> rs.add(JsonReport.toTree(r)));
        ArrayNode cs = root.putArray("comparisons");
        comparisons.forEach(c -> cs.add(JsonReport.toTree(c)));
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the results", e);
        }
    }
}
