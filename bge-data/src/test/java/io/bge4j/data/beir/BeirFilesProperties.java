package io.bge4j.data.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.UniqueElements;

class BeirFilesProperties {

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("beir-prop");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 50)
    void corpusRoundTripsArbitraryTexts(@ForAll @Size(max = 8) List<String> texts,
                                        @ForAll @Size(max = 8) List<String> titles) {
        List<CorpusDocument> docs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            docs.add(new CorpusDocument("d" + i, i < titles.size() ? titles.get(i) : "", texts.get(i)));
        }
        Path dir = tempDir();
        try {
            Path file = dir.resolve("corpus.jsonl");
            CorpusJsonl.write(file, docs);
            assertEquals(docs, CorpusJsonl.read(file).documents());
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 50)
    void qrelsRoundTripInEveryFormat(
            @ForAll @Size(max = 6) @UniqueElements List<@AlphaChars @NumericChars @StringLength(min = 1, max = 6) String> ids,
            @ForAll @IntRange(min = 0, max = 3) int grade) {
        Map<String, Map<String, Integer>> byQuery = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            Map<String, Integer> docs = new LinkedHashMap<>();
            for (int j = 0; j <= i; j++) {
                docs.put(ids.get(j) + "-d", (grade + j) % 4);
            }
            byQuery.put(ids.get(i), docs);
        }
        Qrels qrels = Qrels.of(byQuery);
        Path dir = tempDir();
        try {
            for (QrelsFormat f : QrelsFormat.values()) {
                Path file = dir.resolve("qrels-" + f + (f == QrelsFormat.FLAG_JSONL ? ".jsonl" : ".txt"));
                QrelsFiles.write(file, qrels, f);
                assertEquals(qrels, QrelsFiles.read(file, f));
                if (!byQuery.isEmpty()) {
                    assertEquals(f, QrelsFiles.detect(file));
                }
            }
        } finally {
            deleteTree(dir);
        }
    }
}
