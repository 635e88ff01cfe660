package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.DataFormatException;
import io.bge4j.data.beir.QrelsFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrecRunFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsSixColumnsIgnoringRankAndTag() throws IOException {
        Path f = dir.resolve("run.trec");
        // ranks are deliberately wrong: trec_eval ranks by score, so d2 (0.9) comes first
        Files.writeString(f, "q1 Q0 d1 1 0.5 tagA\nq1 Q0 d2 2 0.9 tagA\n\nq2\tQ0\td7\t1\t-1.5e-3\ttagB\nq1 Q0 d1 3 0.99 x\n");
        Run run = TrecRunReader.read(f);
        assertEquals(List.of("d2", "d1"), run.ranking("q1").stream().map(ScoredDoc::docId).toList());
        assertEquals(0.5, run.ranking("q1").get(1).score()); // first occurrence of d1 kept, not 0.99
        assertEquals(1, run.duplicatesDropped());
        assertEquals(-0.0015, run.ranking("q2").get(0).score(), 1e-15);
        assertEquals(3, run.size());
    }

    @Test
    void badLinesNameFileAndLine() throws IOException {
        Path f = dir.resolve("bad.trec");
        Files.writeString(f, "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 high t\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> TrecRunReader.read(f));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(f + ":2 field 'score'"), e.getMessage());
        assertTrue(e.getMessage().contains("'high' is not a number"), e.getMessage());

        Path g = dir.resolve("qrels-not-run.txt");
        Files.writeString(g, "q1 0 d1 1\n");
        DataFormatException e2 = assertThrows(DataFormatException.class, () -> TrecRunReader.read(g));
        assertTrue(e2.getMessage().startsWith(g + ":1"), e2.getMessage());
        assertTrue(e2.getMessage().contains("expected 6 whitespace-separated columns")
                && e2.getMessage().contains("looks like a qrels line"), e2.getMessage());
    }

    @Test
    void writerRoundTripsAndKeepsTheRanking() {
        Run run = Run.builder().add("q1", "a", 0.1f).add("q1", "b", 0.30000001192092896).add("q1", "c", 0.1f)
                .add("q2", "z", 1e-7).build();
        List<String> lines = TrecRunWriter.lines(run, "bge4j");
        assertEquals("q1 Q0 b 1 0.30000001192092896 bge4j", lines.get(0));
        assertEquals("q1 Q0 c 2 " + (double) 0.1f + " bge4j", lines.get(1)); // tie: c before a
        Path f = dir.resolve("out/run.trec");
        TrecRunWriter.write(f, run, "bge4j");
        assertEquals(run.rankings(), TrecRunReader.read(f).rankings());
        assertThrows(IllegalArgumentException.class, () -> TrecRunWriter.lines(run, "two words"));
    }

    @Test
    void metricsRunnerScoresFilesAndWritesTheDocumentedJson() throws IOException {
        Path qrels = dir.resolve("qrels.tsv");
        Files.writeString(qrels, "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td5\t1\nq3\td9\t0\n");
        Path trecQrels = dir.resolve("qrels.trec");
        Files.writeString(trecQrels, "q1 0 d1 1\nq2 0 d5 1\nq3 0 d9 0\n");
        Path runFile = dir.resolve("run.trec");
        // q1: d1 at rank 1 → mrr 1; q2: d5 at rank 2 → mrr 1/2; q3 has no relevant doc → excluded
        Files.writeString(runFile, "q1 Q0 d1 1 3.0 t\nq1 Q0 d2 2 2.0 t\nq2 Q0 d4 1 5.0 t\nq2 Q0 d5 2 4.0 t\n"
                + "q3 Q0 d9 1 1.0 t\n");
        for (Path q : List.of(qrels, trecQrels)) {
            EvaluationResult r = MetricsRunner.builder().qrels(q).run(runFile).cutoffs(List.of(1, 10)).build().evaluate();
            assertEquals(0.75, r.mean(Metric.parse("mrr@10")), 1e-12);
            assertEquals(0.5, r.mean(Metric.parse("precision@1")), 1e-12);
            assertEquals(new QueryCounts(2, 1, 0, 0), r.counts());
            assertEquals("run.trec", r.name());
        }
        EvaluationResult r = MetricsRunner.builder().qrels(trecQrels).qrelsFormat(QrelsFormat.TREC).run(runFile)
                .build().evaluate();
        Path json = dir.resolve("results.json");
        MetricsRunner.writeJson(r, json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("ndcg@10", "recall@100", "mrr@10", "map@100", "precision@10")) {
            assertTrue(root.get("mean").has(key), key);
        }
        assertEquals(0.75, root.get("mean").get("mrr@10").asDouble(), 1e-12);
        assertEquals(0.5, root.get("per_query").get("q2").get("mrr@10").asDouble(), 1e-12);
        assertEquals(35, root.get("per_query").get("q1").size());
        assertTrue(!root.get("per_query").has("q3"));
        assertEquals(1, root.get("queries").get("without_relevant").asInt());
    }
}
