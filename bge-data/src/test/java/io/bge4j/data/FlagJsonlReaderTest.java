package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagJsonlReaderTest {
    private static final String GOOD = "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"]}";

    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private DataFormatException strictError(Path f) {
        return assertThrows(DataFormatException.class, () -> FlagJsonlReader.builder().build().read(f));
    }

    @Test
    void readsAllFieldsAndStampsTheDatasetName() throws IOException {
        Path f = file("msmarco.jsonl",
                "{\"query\":\"what is bge\",\"pos\":[\"a model\"],\"neg\":[\"a fruit\",\"a car\"],"
                        + "\"pos_scores\":[0.9],\"neg_scores\":[0.1,-2],\"prompt\":\"Represent: \",\"type\":\"normal\","
                        + "\"extra\":{\"ignored\":[1,2]}}",
                "{\"query\":\"second\",\"pos\":[\"x\",\"y\"]}");
        JsonlReadResult r = FlagJsonlReader.builder().build().read(f);
        assertEquals("msmarco", r.trainingSet().name());
        assertEquals(2, r.trainingSet().size());
        TrainingExample a = r.trainingSet().get(0);
        assertEquals(new TrainingExample("what is bge", List.of("a model"), List.of("a fruit", "a car"),
                List.of(0.9), List.of(0.1, -2.0), "Represent: ", "normal", "msmarco"), a);
        TrainingExample b = r.trainingSet().get(1);
        assertEquals(List.of("x", "y"), b.positives());
        assertEquals(List.of(), b.negatives());
        assertNull(b.positiveScores());
        assertNull(b.prompt());
        assertEquals(2, r.report().lines());
        assertEquals(0, r.report().skippedLines());
        assertTrue(r.report().clean());
    }

    @Test
    void missingPosNamesFileLineAndField() throws IOException {
        Path f = file("t.jsonl", GOOD, GOOD, "{\"query\":\"q\",\"neg\":[]}");
        DataFormatException e = strictError(f);
        assertEquals(f + ":3 field 'pos': missing; every line needs \"pos\": a list with at least one passage",
                e.getMessage());
        assertEquals(3, e.line());
        assertEquals("pos", e.field());
        assertEquals(f, e.file());
    }

    @Test
    void posNotAListIsReported() throws IOException {
        Path f = file("t.jsonl", GOOD, "{\"query\":\"q\",\"pos\":\"just one\"}");
        DataFormatException e = strictError(f);
        assertEquals(f + ":2 field 'pos': must be a list of strings, found a string", e.getMessage());
    }

    @Test
    void nonStringPassageIsReportedWithItsIndex() throws IOException {
        Path f = file("t.jsonl", "{\"query\":\"q\",\"pos\":[\"a\",3]}");
        DataFormatException e = strictError(f);
        assertEquals(f + ":1 field 'pos': element 1 must be a string, found a number", e.getMessage());
    }

    @Test
    void emptyPosIsReported() throws IOException {
        Path f = file("t.jsonl", "{\"query\":\"q\",\"pos\":[]}");
        assertEquals(f + ":1 field 'pos': is empty; give at least one positive passage", strictError(f).getMessage());
    }

    @Test
    void missingQueryIsReported() throws IOException {
        Path f = file("t.jsonl", GOOD, GOOD, GOOD, "{\"pos\":[\"p\"]}");
        DataFormatException e = strictError(f);
        assertEquals(f + ":4 field 'query': missing; every line needs \"query\": \"...\"", e.getMessage());
    }

    @Test
    void scoreLengthMismatchIsReportedForPosAndNeg() throws IOException {
        Path f = file("t.jsonl", "{\"query\":\"q\",\"pos\":[\"a\",\"b\"],\"pos_scores\":[1.0]}");
        assertEquals(f + ":1 field 'pos_scores': has 1 score(s) but \"pos\" has 2 passage(s); give one score per "
                + "passage or leave pos_scores out", strictError(f).getMessage());
        Path g = file("u.jsonl", GOOD, "{\"query\":\"q\",\"pos\":[\"a\"],\"neg\":[\"n\"],\"neg_scores\":[1,2,3]}");
        DataFormatException e = strictError(g);
        assertEquals(2, e.line());
        assertEquals("neg_scores", e.field());
        assertTrue(e.getMessage().startsWith(g + ":2 field 'neg_scores': has 3 score(s) but \"neg\" has 1"),
                e.getMessage());
    }

    @Test
    void halfSpecifiedTeacherScoresAreRefusedAtReadTime() throws IOException {
        Path f = file("h.jsonl", GOOD, "{\"query\":\"q\",\"pos\":[\"a\"],\"neg\":[\"n\"],\"neg_scores\":[0.5]}");
        DataFormatException e = strictError(f);
        assertEquals(2, e.line());
        assertEquals("pos_scores", e.field());
        assertEquals(f + ":2 field 'pos_scores': missing while neg_scores is given; distillation needs teacher scores"
                + " for the positives and the negatives: give both pos_scores and neg_scores, or neither", e.getMessage());
        Path g = file("i.jsonl", "{\"query\":\"q\",\"pos\":[\"a\"],\"neg\":[\"n\"],\"pos_scores\":[0.5]}");
        DataFormatException e2 = strictError(g);
        assertEquals(1, e2.line());
        assertEquals("neg_scores", e2.field());
        // positives scored and no negatives to score: complete
        Path ok = file("j.jsonl", "{\"query\":\"q\",\"pos\":[\"a\"],\"pos_scores\":[0.5]}");
        assertEquals(List.of(0.5), FlagJsonlReader.builder().build().read(ok).trainingSet().get(0).positiveScores());
    }

    @Test
    void malformedJsonMessageHasNoParserInternals() throws IOException {
        Path f = file("m.jsonl", GOOD, "{\"query\":\"q\",\"pos\":[\"a\"");
        DataFormatException e = strictError(f);
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(f + ":2"), e.getMessage());
        assertFalse(e.getMessage().contains("[Source"), e.getMessage());
    }

    @Test
    void invalidUtf8IsReportedNotReplaced() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{\"query\":\"caf".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3); // a lead byte followed by '(' — malformed
        bytes.writeBytes("(\",\"pos\":[\"p\"]}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(f, bytes.toByteArray());
        DataFormatException e = strictError(f);
        assertEquals(f + ":2: invalid UTF-8 at byte 14 of the line (1 malformed byte(s)); re-encode the file as UTF-8",
                e.getMessage());
        assertEquals(2, e.line());
        assertNull(e.field());
    }

    @Test
    void overlongLineIsReported() throws IOException {
        String longLine = "{\"query\":\"" + "x".repeat(100) + "\",\"pos\":[\"p\"]}";
        Path f = file("t.jsonl", GOOD, longLine, GOOD);
        FlagJsonlReader reader = FlagJsonlReader.builder().maxLineBytes(64).build();
        DataFormatException e = assertThrows(DataFormatException.class, () -> reader.read(f));
        assertEquals(f + ":2: line is " + longLine.length() + " bytes long, over the limit of 64 bytes; split the "
                + "record or raise FlagJsonlReader.builder().maxLineBytes(...)", e.getMessage());
        // exactly at the limit is fine, also with a CRLF line end
        Path g = dir.resolve("crlf.jsonl");
        Files.writeString(g, longLine + "\r\n" + GOOD + "\r\n");
        JsonlReadResult ok = FlagJsonlReader.builder().maxLineBytes(longLine.length()).build().read(g);
        assertEquals(2, ok.trainingSet().size());
        assertEquals("x".repeat(100), ok.trainingSet().get(0).query());
    }

    @Test
    void invalidJsonIsReportedWithTheFieldBeingRead() throws IOException {
        Path f = file("t.jsonl", "{\"query\":\"q\",\"pos\":[\"a\",");
        DataFormatException e = strictError(f);
        assertEquals("pos", e.field());
        assertTrue(e.getMessage().startsWith(f + ":1 field 'pos': invalid JSON: "), e.getMessage());
        Path g = file("g.jsonl", "[1,2]");
        assertEquals(g + ":1: expected a JSON object {\"query\": ..., \"pos\": [...]} but the line starts with a list",
                strictError(g).getMessage());
        Path h = file("h.jsonl", GOOD + " {}");
        assertEquals(h + ":1: unexpected an object after the JSON object; put one object per line",
                strictError(h).getMessage());
    }

    @Test
    void lenientModeSkipsCountsAndRecordsBadLines() throws IOException {
        Path f = file("t.jsonl", GOOD, "{\"query\":\"q\"}", "", GOOD, "not json", "   ", GOOD);
        JsonlReadResult r = FlagJsonlReader.builder().lenient(true).build().read(f);
        assertEquals(3, r.trainingSet().size());
        assertEquals(7, r.report().lines());
        assertEquals(2, r.report().blankLines());
        assertEquals(2, r.report().skippedLines());
        assertFalse(r.report().clean());
        assertEquals(List.of(2L, 5L), r.report().errors().stream().map(DataFormatException::line).toList());
        assertEquals("pos", r.report().errors().get(0).field());
    }

    @Test
    void lenientModeKeepsOnlyTheConfiguredNumberOfErrorsButCountsAll() throws IOException {
        Path f = file("t.jsonl", "x", "y", "z", GOOD);
        JsonlReadResult r = FlagJsonlReader.builder().lenient(true).maxRecordedErrors(1).build().read(f);
        assertEquals(3, r.report().skippedLines());
        assertEquals(1, r.report().errors().size());
        assertEquals(1, r.trainingSet().size());
    }

    @Test
    void streamsWithoutMaterialisingAndStripsByteOrderMark() throws IOException {
        Path f = dir.resolve("big.jsonl");
        StringBuilder sb = new StringBuilder("\uFEFF");
        for (int i = 0; i < 5000; i++) {
            sb.append("{\"query\":\"q").append(i).append("\",\"pos\":[\"p\"],\"neg\":").append(i % 2 == 0 ? "[]" : "[\"n\"]")
                    .append("}\n");
        }
        Files.writeString(f, sb.toString());
        try (JsonlExampleStream s = FlagJsonlReader.builder().build().open(f)) {
            assertEquals(2500, s.stream().filter(e -> e.negatives().isEmpty()).count());
            assertEquals(5000, s.report().examples());
            assertEquals(Files.size(f), s.report().bytes());
        }
        try (JsonlExampleStream s = FlagJsonlReader.builder().build().open(f)) {
            assertEquals("q0", s.next().query());
            assertEquals("q1", s.next().query());
        }
    }

    @Test
    void readsGzipAndDirectoriesAsNamedDatasets() throws IOException {
        Path d = Files.createDirectory(dir.resolve("sets"));
        Files.writeString(d.resolve("b_nli.jsonl"), GOOD + "\n" + GOOD + "\n");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(d.resolve("a_qa.jsonl.gz")))) {
            out.write((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(d.resolve("notes.txt"), "ignored");
        List<JsonlReadResult> sets = FlagJsonlReader.builder().build().readDirectory(d);
        assertEquals(List.of(3, 2), List.of(TrainingSet.readJsonlDirectory(d).get(0).size() + 2,
                TrainingSet.readJsonlDirectory(d).get(1).size()));
        assertEquals(List.of("a_qa", "b_nli"), sets.stream().map(r -> r.trainingSet().name()).toList());
        assertEquals(1, sets.get(0).trainingSet().size());
        assertEquals(2, sets.get(1).trainingSet().size());
        assertEquals("b_nli", sets.get(1).trainingSet().get(1).source());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(io.bge4j.core.Bge4jException.class, () -> FlagJsonlReader.builder().build().readDirectory(empty));
    }

    @Test
    void builderNamesBadOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlagJsonlReader.builder().maxLineBytes(1).build());
        assertEquals("maxLineBytes must be at least 2, was 1", e.getMessage());
    }
}
