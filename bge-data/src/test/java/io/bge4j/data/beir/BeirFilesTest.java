package io.bge4j.data.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirFilesTest {

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    private static void assertMessage(DataFormatException e, Path file, long line, String... fragments) {
        assertEquals(file, e.file());
        assertEquals(line, e.line());
        assertTrue(e.getMessage().startsWith(file + ":" + line), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void readsBeirCorpusWithBothIdSpellingsBlankLinesAndExtraFields() throws IOException {
        Path p = file("corpus.jsonl", "\uFEFF{\"_id\": \"d1\", \"title\": \"Apt\", \"text\": \"package tool\", \"metadata\": {}}\n"
                + "\n"
                + "{\"id\": 7, \"text\": \"no title\"}\n"
                + "{\"_id\": \"d3\", \"title\": null, \"text\": \"\"}\n");
        Corpus c = CorpusJsonl.read(p);
        assertEquals(List.of("d1", "7", "d3"), c.ids());
        assertEquals("Apt package tool", c.get(0).fullText());
        assertEquals("no title", c.get(1).fullText());
        assertEquals("", c.get(2).title());
        try (Stream<CorpusDocument> s = CorpusJsonl.stream(p)) {
            assertEquals(3, s.count());
        }
    }

    @Test
    void corpusErrorsNameFileLineAndField() throws IOException {
        Path p = file("bad.jsonl", "{\"_id\": \"d1\", \"text\": \"ok\"}\n{\"_id\": \"d2\", \"text\": 5}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> CorpusJsonl.read(p)), p, 2,
                "field 'text'", "must be a JSON string", "number");
        Path noText = file("notext.jsonl", "{\"_id\": \"d1\"}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> CorpusJsonl.read(noText)), noText, 1,
                "'text'", "is missing");
        Path noId = file("noid.jsonl", "\n\n{\"text\": \"x\"}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> CorpusJsonl.read(noId)), noId, 3,
                "'_id'", "also accepted: id");
        Path broken = file("broken.jsonl", "{\"_id\": \"d1\", \"text\": \"ok\"}\n{\"_id\": \"d2\", \"text\": \"x\"\n");
        DataFormatException truncated = assertThrows(DataFormatException.class, () -> CorpusJsonl.read(broken));
        assertMessage(truncated, broken, 2, "not valid JSON (Unexpected end-of-input: expected close marker for Object"
                + " at column 26)");
        assertFalse(truncated.getMessage().contains("Source"), truncated.getMessage());
        Path array = file("array.jsonl", "[1, 2]\n");
        assertMessage(assertThrows(DataFormatException.class, () -> CorpusJsonl.read(array)), array, 1,
                "expected a JSON object", "array");
        Path dup = file("dup.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d2\", \"text\": \"b\"}\n"
                + "{\"_id\": \"d1\", \"text\": \"c\"}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> CorpusJsonl.read(dup)), dup, 3,
                "duplicate document id 'd1'", "line 1");
        // streaming reports the bad line lazily, still with its number
        try (Stream<CorpusDocument> s = CorpusJsonl.stream(p)) {
            assertMessage(assertThrows(DataFormatException.class, () -> s.forEach(d -> { })), p, 2, "'text'");
        }
        DataFormatException missing = assertThrows(DataFormatException.class,
                () -> CorpusJsonl.read(dir.resolve("nope.jsonl")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void queriesReadAndRejectDuplicates() throws IOException {
        Path p = file("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"install nginx\"}\n{\"id\": \"q2\", \"text\": \"\"}\n");
        Queries q = QueriesJsonl.read(p);
        assertEquals(Map.of("q1", "install nginx", "q2", ""), q.byId());
        assertEquals(List.of("q1", "q2"), List.copyOf(q.byId().keySet()));
        Path dup = file("dup.jsonl", "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"_id\": \"q1\", \"text\": \"b\"}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QueriesJsonl.read(dup)), dup, 2,
                "duplicate query id 'q1'");
    }

    @Test
    void qrelsInAllThreeFormats() throws IOException {
        Path beir = file("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq2\td3\t2\n");
        Path trec = file("qrels.trec", "q1 0 d1 1\nq1 0 d2 0\nq2  Q0\td3 2\n");
        Path jsonl = file("test_qrels.jsonl", "{\"qid\": \"q1\", \"docid\": \"d1\", \"relevance\": 1}\n"
                + "{\"qid\": \"q1\", \"docid\": \"d2\", \"relevance\": 0}\n{\"qid\": \"q2\", \"docid\": \"d3\", \"relevance\": 2.0}\n");
        Map<String, Map<String, Integer>> expected = Map.of("q1", Map.of("d1", 1, "d2", 0), "q2", Map.of("d3", 2));
        assertEquals(QrelsFormat.BEIR_TSV, QrelsFiles.detect(beir));
        assertEquals(QrelsFormat.TREC, QrelsFiles.detect(trec));
        assertEquals(QrelsFormat.FLAG_JSONL, QrelsFiles.detect(jsonl));
        for (Path p : List.of(beir, trec, jsonl)) {
            Qrels q = Qrels.read(p);
            assertEquals(expected, q.byQuery(), p.toString());
            assertEquals(1, q.relevantCount("q1"));
            assertEquals(0, q.relevantCount("nope"));
        }
        // a BEIR file without header is fine too
        assertEquals(Map.of("q9", Map.of("d9", 3)), QrelsFiles.read(file("noheader.tsv", "q9\td9\t3\n")).byQuery());
    }

    @Test
    void qrelsErrorsNameFileAndLine() throws IOException {
        Path badScore = file("a.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\thigh\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QrelsFiles.read(badScore)), badScore, 3,
                "field 'score'", "'high' is not an integer");
        Path columns = file("b.tsv", "q1\td1\t1\nq1\td2\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QrelsFiles.read(columns, QrelsFormat.BEIR_TSV)),
                columns, 2, "expected 3 tab-separated columns", "found 2");
        Path trec = file("c.trec", "q1 0 d1 1\nq1 0 d2\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QrelsFiles.read(trec, QrelsFormat.TREC)),
                trec, 2, "expected 4 whitespace-separated columns", "looks like BEIR");
        Path json = file("d.jsonl", "{\"qid\": \"q1\", \"docid\": \"d1\"}\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QrelsFiles.read(json)), json, 1,
                "'relevance'", "is missing");
        Path odd = file("e.txt", "\none two three four five\n");
        assertMessage(assertThrows(DataFormatException.class, () -> QrelsFiles.read(odd)), odd, 2,
                "cannot tell the qrels format from 5 columns");
    }

    @Test
    void duplicateJudgementLaterLineWins() throws IOException {
        Path p = file("dup.tsv", "q1\td1\t1\nq1\td1\t2\n");
        assertEquals(Map.of("q1", Map.of("d1", 2)), QrelsFiles.read(p).byQuery());
    }

    @Test
    void datasetRoundTripsThroughBothLayouts() {
        BeirDataset ds = new BeirDataset(
                Corpus.of(List.of(new CorpusDocument("d1", "T", "one\n\"quoted\""), new CorpusDocument("d2", "", "два"))),
                Queries.of(Map.of("q1", "first")),
                Qrels.of(Map.of("q1", Map.of("d1", 1, "d2", 0))));
        for (DatasetLayout layout : DatasetLayout.values()) {
            Path out = dir.resolve(layout.name());
            ds.write(out, "dev", layout);
            assertEquals(layout, BeirDataset.detectLayout(out, "dev"));
            BeirDataset back = BeirDataset.load(out, "dev");
            assertEquals(ds.corpus().documents(), back.corpus().documents());
            assertEquals(ds.queries(), back.queries());
            assertEquals(ds.qrels(), back.qrels());
        }
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> BeirDataset.load(dir.resolve("BEIR"), "test"));
        assertTrue(e.getMessage().contains("qrels/test.tsv") && e.getMessage().contains("test_qrels.jsonl"),
                e.getMessage());
    }

    @Test
    void loadKeepsOnlyJudgedQueries() throws IOException {
        file("ds/corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n");
        file("ds/queries.jsonl", "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"_id\": \"q2\", \"text\": \"b\"}\n");
        file("ds/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq2\td1\t1\n");
        BeirDataset ds = BeirDataset.load(dir.resolve("ds"), "test");
        assertEquals(Map.of("q2", "b"), ds.queries().byId());
        assertEquals(1, ds.corpus().size());
    }
}
