package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.examples.cli.CliTestKit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @TempDir
    Path tmp;

    Path data;
    Path modelA;
    Path modelB;

    @BeforeEach
    void setUp() throws Exception {
        data = CliTestKit.beir(tmp.resolve("data"), "test", 6);
        modelA = CliTestKit.tinyModel(tmp.resolve("a"), CliTestKit.allTexts(), 1);
        modelB = CliTestKit.tinyModel(tmp.resolve("b"), CliTestKit.allTexts(), 2);
    }

    /** nDCG@10 / MRR@10 / Recall@1 means over the queries, from the ranks of their single relevant document. */
    private static double[] expected(int[] ranks) {
        double ndcg = 0;
        double mrr = 0;
        double r1 = 0;
        for (int rank : ranks) {
            ndcg += 1 / (Math.log(rank + 1) / Math.log(2));
            mrr += 1.0 / rank;
            r1 += rank == 1 ? 1 : 0;
        }
        return new double[] {ndcg / ranks.length, mrr / ranks.length, r1 / ranks.length};
    }

    @Test
    void evaluatesOneModelAgainstBruteForceRanks() throws Exception {
        Path out = tmp.resolve("results.json");
        Path runFile = tmp.resolve("run.trec");
        Run r = run("evaluate", "--model", modelA.toString(), "--data", data.toString(), "--output", out.toString(),
                "--run", runFile.toString(), "--batch-size", "3");
        assertEquals(0, r.code(), r.err());
        double[] want = expected(CliTestKit.relevantRanks(modelA, 6));

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals(want[0], json.get("mean").get("ndcg@10").asDouble(), 1e-5);
        assertEquals(want[1], json.get("mean").get("mrr@10").asDouble(), 1e-5);
        assertEquals(want[2], json.get("mean").get("recall@1").asDouble(), 1e-9);
        assertEquals(6, json.get("per_query").size());
        assertTrue(r.out().contains("8 documents, 6 judged queries"), r.out());
        assertEquals(String.format(Locale.ROOT, "%.4f", want[1]), MetricsCommandTest.row(r.out(), "mrr").get(4),
                "mrr@10 column of the printed grid\n" + r.out());

        // the run holds every document for every query (depth 100 > 8 documents), and scoring it gives the same numbers
        List<String> lines = Files.readAllLines(runFile);
        assertEquals(6 * 8, lines.size());
        Path again = tmp.resolve("again.json");
        Run m = run("metrics", "--qrels", data.resolve("qrels/test.tsv").toString(), "--run", runFile.toString(),
                "--output", again.toString());
        assertEquals(0, m.code(), m.err());
        assertEquals(want[0], new ObjectMapper().readTree(again.toFile()).get("mean").get("ndcg@10").asDouble(), 1e-5);
    }

    @Test
    void comparesTwoModelsWithDeltasIntervalsAndReports() throws Exception {
        Path out = tmp.resolve("cmp.json");
        Path report = tmp.resolve("reports/report.html");
        Run r = run("evaluate", "--model", modelA.toString(), "--model", modelB.toString(), "--data", data.toString(),
                "--output", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        double[] a = expected(CliTestKit.relevantRanks(modelA, 6));
        double[] b = expected(CliTestKit.relevantRanks(modelB, 6));

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals(EvaluateCommand.MULTI_SCHEMA, json.get("schema").asText());
        assertEquals(modelA.toString(), json.get("base").asText());
        assertEquals(2, json.get("results").size());
        assertEquals(a[0], json.get("results").get(0).get("mean").get("ndcg@10").asDouble(), 1e-5);
        assertEquals(b[0], json.get("results").get(1).get("mean").get("ndcg@10").asDouble(), 1e-5);
        JsonNode ndcg = json.get("comparisons").get(0).get("metrics").get("ndcg@10");
        assertEquals(b[0] - a[0], ndcg.get("delta").asDouble(), 1e-5);
        assertTrue(ndcg.get("ci_low").asDouble() <= ndcg.get("delta").asDouble() + 1e-12);
        assertTrue(ndcg.get("ci_high").asDouble() >= ndcg.get("delta").asDouble() - 1e-12);
        double p = ndcg.get("p_value").asDouble();
        assertTrue(p > 0 && p <= 1, "p " + p);
        assertEquals(6, ndcg.get("wins").asInt() + ndcg.get("ties").asInt() + ndcg.get("losses").asInt());

        // printed: a summary row per model, then the comparison row with delta, CI and p
        assertEquals(String.format(Locale.ROOT, "%.4f", a[0]), MetricsCommandTest.row(r.out(), modelA.toString()).get(1));
        List<String> row = MetricsCommandTest.row(r.out(), "ndcg@10");
        assertEquals(String.format(Locale.ROOT, "%.4f", a[0]), row.get(1), r.out());
        assertEquals(String.format(Locale.ROOT, "%.4f", b[0]), row.get(2), r.out());
        assertEquals(String.format(Locale.ROOT, "%+.4f", b[0] - a[0]), row.get(3), r.out());
        assertTrue(row.get(4).startsWith("["), r.out());
        assertTrue(r.out().contains(modelB + " vs base " + modelA + " (6 queries)"), r.out());
        assertTrue(r.out().contains("95% CI"), r.out());

        String html = Files.readString(report);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<svg"), "chart in the report");
        assertTrue(r.out().contains("wrote report " + report), r.out());

        // the query whose nDCG@10 changed most gets a card: its text, its relevant document's rank before → after
        // (from brute-force ranks), and the documents each model retrieved
        int[] ra = CliTestKit.relevantRanks(modelA, 6);
        int[] rb = CliTestKit.relevantRanks(modelB, 6);
        int most = -1;
        double largest = 0;
        for (int i = 0; i < 6; i++) {
            double d = Math.abs(1 / (Math.log(rb[i] + 1) / Math.log(2)) - 1 / (Math.log(ra[i] + 1) / Math.log(2)));
            if (d > largest + 1e-9) {
                largest = d;
                most = i;
            }
        }
        assertTrue(most >= 0, "the two tiny models rank some relevant document differently: " + java.util.Arrays.toString(ra)
                + " vs " + java.util.Arrays.toString(rb));
        assertFalse(html.contains("Retrieved documents are not shown"), "the page has the rankings");
        assertTrue(html.contains("<div class=\"query\"><h3>" + CliTestKit.QUERIES[most][1] + " <span class=\"id\">"
                + CliTestKit.QUERIES[most][0] + "</span></h3>"), "card of " + CliTestKit.QUERIES[most][0] + "\n" + html);
        assertTrue(html.contains("Relevant <span class=\"id\">" + CliTestKit.DOCS[most][0] + "</span>: rank " + ra[most]
                + " → " + rb[most]), "relevant document with its ranks before and after\n" + html);
        assertTrue(html.contains("<b>Before: " + modelA + "</b><ol class=\"hits\">"), html);
        assertTrue(html.contains("<b>After: " + modelB + "</b><ol class=\"hits\">"), html);
    }

    @Test
    void badFlagsAndMissingInputs() {
        Run runCount = run("evaluate", "--model", modelA.toString(), "--model", modelB.toString(), "--data",
                data.toString(), "--run", tmp.resolve("r.trec").toString());
        assertEquals(2, runCount.code());
        assertTrue(runCount.err().contains("--run must be given once per --model (2 models, 1 run files)"),
                runCount.err());
        assertTrue(runCount.err().contains("Usage: bge4j evaluate"), runCount.err());

        Path noData = tmp.resolve("nodata");
        Run missing = run("evaluate", "--model", modelA.toString(), "--data", noData.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("error: data set directory not found: " + noData), missing.err());

        Run noSplit = run("evaluate", "--model", modelA.toString(), "--data", data.toString(), "--split", "dev");
        assertEquals(1, noSplit.code());
        assertTrue(noSplit.err().contains("no judgements for split 'dev'"), noSplit.err());

        Path noModel = tmp.resolve("no-model");
        Run badModel = run("evaluate", "--model", noModel.toString(), "--data", data.toString());
        assertEquals(1, badModel.code());
        assertTrue(badModel.err().contains(noModel.toString()), badModel.err());

        Run noModelFlag = run("evaluate", "--data", data.toString());
        assertEquals(2, noModelFlag.code());
        assertTrue(noModelFlag.err().contains("Missing required option: '--model=<preset|dir>'"), noModelFlag.err());
        assertFalse(Files.exists(tmp.resolve("r.trec")));
    }

    @Test
    void labelsAndNumberedReports() {
        assertEquals(List.of("m", "x", "m#3"), EvaluateCommand.labels(List.of("m", "x", "m")));
        assertEquals(Path.of("out/report-3.html"), EvaluateCommand.numbered(Path.of("out/report.html"), 3));
        assertEquals(Path.of("report-2"), EvaluateCommand.numbered(Path.of("report"), 2));
    }
}
