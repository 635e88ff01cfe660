package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagJsonlWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesFlagEmbeddingFieldsOneObjectPerLine() throws IOException {
        Path f = dir.resolve("out.jsonl");
        TrainingExample a = new TrainingExample("é \"q\"\n", List.of("p1"), List.of(), List.of(1.5), null, "Represent: ",
                null, "ignored-source");
        TrainingExample b = TrainingExample.of("q2", List.of("p"), List.of("n1", "n2"));
        assertEquals(2, FlagJsonlWriter.writeAll(f, List.of(a, b)));
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        assertEquals(List.of(
                "{\"query\":\"é \\\"q\\\"\\n\",\"pos\":[\"p1\"],\"neg\":[],\"pos_scores\":[1.5],\"prompt\":\"Represent: \"}",
                "{\"query\":\"q2\",\"pos\":[\"p\"],\"neg\":[\"n1\",\"n2\"]}"), lines);
    }

    @Test
    void uncommittedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("out.jsonl");
        Files.writeString(f, "old\n");
        try (FlagJsonlWriter w = FlagJsonlWriter.open(f)) {
            w.write(TrainingExample.of("q", List.of("p"), List.of()));
            assertEquals("old\n", Files.readString(f));
        }
        assertEquals("old\n", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void unpairedSurrogateIsRejectedNamingTheField() {
        Path f = dir.resolve("out.jsonl");
        Bge4jException e = assertThrows(Bge4jException.class, () -> FlagJsonlWriter.writeAll(f,
                List.of(TrainingExample.of("q", List.of("ok", "bad\uD800x"), List.of()))));
        assertTrue(e.getMessage().contains("field 'pos' has an unpaired surrogate at char 3"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void gzipTargetRoundTrips() {
        Path f = dir.resolve("out.jsonl.gz");
        List<TrainingExample> ex = List.of(TrainingExample.of("q", List.of("p"), List.of("n")));
        FlagJsonlWriter.writeAll(f, ex);
        assertEquals(List.of(ex.get(0).withSource("out")), TrainingSet.readJsonl(f).examples());
    }
}
