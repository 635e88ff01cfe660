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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCommandTest {

    @TempDir
    Path tmp;

    /*
     * q1 judges d1 (rel 1) and d2 (rel 2); q2 judges d3 (rel 1); q3 has only a relevance-0 judgement and is excluded.
     * Run: q1 ranks d2, d5, d1; q2 ranks d4, d3.
     *   q1: DCG@3 = 2/log2(2) + 1/log2(4) = 2.5, IDCG = 2 + 1/log2(3)  -> nDCG = 0.9502344168
     *       recall@1 = 1/2, P@10 = 2/10, RR = 1, AP@3 = (1/1 + 2/3) / 2 = 0.8333333333
     *   q2: DCG = 1/log2(3), IDCG = 1 -> nDCG = 0.6309297536; recall@1 = 0, P@10 = 1/10, RR = 1/2, AP = 1/2
     */
    private Path[] files() throws Exception {
        Path qrels = tmp.resolve("test.tsv");
        Files.writeString(qrels, "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq2\td3\t1\nq3\td9\t0\n");
        Path runFile = tmp.resolve("run.trec");
        Files.writeString(runFile, """
                q1 Q0 d2 1 0.9 t
                q1 Q0 d5 2 0.8 t
                q1 Q0 d1 3 0.7 t
                q2 Q0 d4 1 0.9 t
                q2 Q0 d3 2 0.5 t
                """);
        return new Path[] {qrels, runFile};
    }

    @Test
    void scoresARunByHandComputedValuesAndWritesTheJsonSchema() throws Exception {
        Path[] f = files();
        Path out = tmp.resolve("out/results.json");
        Run r = run("metrics", "--qrels", f[0].toString(), "--run", f[1].toString(), "--k", "1,3,10",
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        JsonNode mean = json.get("mean");
        double q1 = (2 + 1 / log2(4)) / (2 + 1 / log2(3));
        double q2 = 1 / log2(3);
        assertEquals((q1 + q2) / 2, mean.get("ndcg@10").asDouble(), 1e-9);
        assertEquals(0.5, mean.get("ndcg@1").asDouble(), 1e-12);
        assertEquals(0.25, mean.get("recall@1").asDouble(), 1e-12);
        assertEquals(1.0, mean.get("recall@3").asDouble(), 1e-12);
        assertEquals(0.15, mean.get("precision@10").asDouble(), 1e-12);
        assertEquals(0.75, mean.get("mrr@10").asDouble(), 1e-12);
        assertEquals((5.0 / 6 + 0.5) / 2, mean.get("map@10").asDouble(), 1e-12);
        assertEquals(0.5, mean.get("accuracy@1").asDouble(), 1e-12);
        assertFalse(mean.has("ndcg@100"), "only the requested cutoffs");

        JsonNode perQuery = json.get("per_query");
        List<String> ids = new ArrayList<>();
        for (Iterator<String> it = perQuery.fieldNames(); it.hasNext();) {
            ids.add(it.next());
        }
        assertEquals(List.of("q1", "q2"), ids, "q3 has no relevant document and is excluded");
        assertEquals(q1, perQuery.get("q1").get("ndcg@3").asDouble(), 1e-9);
        assertEquals(q2, perQuery.get("q2").get("ndcg@10").asDouble(), 1e-9);
        assertEquals(0.5, perQuery.get("q2").get("mrr@10").asDouble(), 1e-12);
        assertEquals(1, json.get("queries").get("without_relevant").asInt());

        // the printed grid: one row per measure, one column per cutoff
        assertEquals(List.of("metric", "@1", "@3", "@10"), row(r.out(), "metric"));
        String ndcg = String.format(java.util.Locale.ROOT, "%.4f", (q1 + q2) / 2);
        assertEquals(List.of("ndcg", "0.5000", ndcg, ndcg), row(r.out(), "ndcg"));
        assertEquals(List.of("mrr", "0.5000", "0.7500", "0.7500"), row(r.out(), "mrr"));
        assertEquals(List.of("precision", "0.5000", "0.5000", "0.1500"), row(r.out(), "precision"));
        assertTrue(r.out().contains("queries evaluated: 2; excluded (no relevant document): 1"), r.out());
        assertTrue(r.out().contains("wrote " + out), r.out());
    }

    @Test
    void defaultCutoffsIncludeTheIssueKeys() throws Exception {
        Path[] f = files();
        Path out = tmp.resolve("results.json");
        Run r = run("metrics", "--qrels", f[0].toString(), "--run", f[1].toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode mean = new ObjectMapper().readTree(out.toFile()).get("mean");
        for (String key : List.of("ndcg@10", "recall@100", "mrr@10", "map@100", "precision@10")) {
            assertTrue(mean.has(key), key + " in " + mean);
        }
        assertEquals(3.0 / 200, mean.get("precision@100").asDouble(), 1e-12);
    }

    @Test
    void missingFilesAndBadFlagsAreNamed() throws Exception {
        Path[] f = files();
        Path none = tmp.resolve("nope.tsv");
        Run missing = run("metrics", "--qrels", none.toString(), "--run", f[1].toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("error: qrels file not found: " + none), missing.err());

        Run missingRun = run("metrics", "--qrels", f[0].toString(), "--run", tmp.resolve("x.trec").toString());
        assertEquals(1, missingRun.code());
        assertTrue(missingRun.err().contains("error: run file not found: " + tmp.resolve("x.trec")), missingRun.err());

        Run noRun = run("metrics", "--qrels", f[0].toString());
        assertEquals(2, noRun.code());
        assertTrue(noRun.err().contains("Missing required option: '--run=<run>'"), noRun.err());
        assertTrue(noRun.err().contains("Usage: bge4j metrics"), noRun.err());

        Run badK = run("metrics", "--qrels", f[0].toString(), "--run", f[1].toString(), "--k", "0,10");
        assertEquals(2, badK.code());
        assertTrue(badK.err().contains("--k: cutoffs must be at least 1, found 0"), badK.err());

        Run notNumber = run("metrics", "--qrels", f[0].toString(), "--run", f[1].toString(), "--k", "ten");
        assertEquals(2, notNumber.code());
        assertTrue(notNumber.err().contains("Invalid value for option '--k'"), notNumber.err());

        // a qrels file passed as the run: the reader names file and line
        Path fourColumns = tmp.resolve("qrels.trec");
        Files.writeString(fourColumns, "q1 0 d1 1\n");
        Run swapped = run("metrics", "--qrels", f[0].toString(), "--run", fourColumns.toString());
        assertEquals(1, swapped.code());
        assertTrue(swapped.err().contains("error: " + fourColumns + ":1"), swapped.err());
        assertTrue(swapped.err().contains("looks like a qrels line"), swapped.err());
    }

    @Test
    void helpListsEveryFlag() {
        Run help = run("metrics", "--help");
        assertEquals(0, help.code());
        for (String flag : List.of("--qrels", "--run", "--k", "--output", "--missing-as-zero")) {
            assertTrue(help.out().contains(flag), flag + " in\n" + help.out());
        }
    }

    /** The whitespace-separated cells of the first printed line starting with {@code first}. */
    static List<String> row(String out, String first) {
        for (String line : out.split("\n")) {
            List<String> cells = List.of(line.strip().split("\\s+"));
            if (cells.get(0).equals(first)) {
                return cells;
            }
        }
        throw new AssertionError("no line starting with " + first + " in\n" + out);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
