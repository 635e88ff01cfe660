package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.rerank.Reranker;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cross-encoder false-negative filter and the teacher scorer on constructed examples. */
class CrossEncoderNegativeFilterTest {

    private static final Map<String, Float> SCORES = Map.ofEntries(
            Map.entry("p1", 5f), Map.entry("n1", 6f), Map.entry("n2", 4.75f), Map.entry("n3", 4.5f),
            Map.entry("n4", 2f), Map.entry("p2", 3f), Map.entry("p3", 7f), Map.entry("n5", 3.25f),
            Map.entry("n6", 1f), Map.entry("n7", 2.5f));

    /** Scores each passage by a fixed table; counts calls. */
    private static final class TableReranker implements Reranker {
        int pairs;

        @Override
        public float[] score(String query, List<String> passages) {
            float[] s = new float[passages.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = SCORES.get(passages.get(i));
            }
            pairs += s.length;
            return s;
        }
    }

    private static List<TrainingExample> examples() {
        return List.of(
                TrainingExample.of("q1", List.of("p1"), List.of("n1", "n2", "n3", "n4")),
                TrainingExample.of("q2", List.of("p2", "p3"), List.of("n5", "n6")),
                TrainingExample.of("q3", List.of("p1"), List.of()),
                TrainingExample.of("q4", List.of("p2"), List.of("n5")));
    }

    private static SampledNegative prov(String text, int rank) {
        return new SampledNegative("id-" + text, rank, text, rank, 0.5, false);
    }

    @Test
    void dropsExactlyTheNegativesScoredAtOrWithinTheMarginOfTheLowestPositive() {
        List<List<SampledNegative>> provenance = List.of(
                List.of(prov("n1", 1), prov("n2", 2), prov("n3", 3), prov("n4", 4)),
                List.of(prov("n5", 1), prov("n6", 2)), List.of(), List.of(prov("n5", 1)));
        SamplingReport report = new SamplingReport("dense", 4, 4, 7, 0, 0, 3, 0, 0, 2);
        TableReranker r = new TableReranker();
        CrossEncoderNegativeFilter.Outcome o = CrossEncoderNegativeFilter.builder().reranker(r).margin(0.5).build()
                .apply(new SamplingResult(examples(), report, provenance));
        List<TrainingExample> out = o.result().examples();
        // pairs: q1 1 + 4, q2 2 + 2, q3 1, q4 1 + 1 = 12
        // q1: positive 5, threshold 4.5: n1 (6, above), n2 (4.75, within), n3 (4.5, at the margin) dropped; n4 (2) kept
        assertEquals(List.of("n4"), out.get(0).negatives());
        assertEquals(List.of(5.0), out.get(0).positiveScores());
        assertEquals(List.of(2.0), out.get(0).negativeScores());
        // q2: lowest positive is 3 (not 7): threshold 2.5: n5 (3.25) dropped, n6 (1) kept
        assertEquals(List.of("n6"), out.get(1).negatives());
        assertEquals(List.of(3.0, 7.0), out.get(1).positiveScores());
        assertEquals(List.of(1.0), out.get(1).negativeScores());
        assertEquals(List.of(), out.get(2).negatives());
        assertEquals(List.of(), out.get(3).negatives());  // q4: n5 3.25 > 3 - 0.5
        assertEquals(List.of("id-n4"), o.result().provenance().get(0).stream().map(SampledNegative::docId).toList());
        assertEquals(List.of("id-n6"), o.result().provenance().get(1).stream().map(SampledNegative::docId).toList());
        assertEquals(7, o.negativesBefore());
        assertEquals(5, o.negativesDropped());
        assertEquals(1, o.examplesEmptied());
        assertEquals(12, o.pairsScored());
        assertEquals(12, r.pairs);
        assertEquals(2, o.result().report().negativesProduced());
        assertEquals(7, o.result().report().falseNegativesDropped());
        assertEquals(4, o.result().report().examplesShort());
        assertTrue(o.summary().contains("dropped 5 of 7"));
    }

    @Test
    void marginZeroKeepsNegativesJustBelowThePositiveAndScoresCanBeLeftOff() {
        CrossEncoderNegativeFilter.Outcome o = CrossEncoderNegativeFilter.builder().reranker(new TableReranker())
                .keepTeacherScores(false).build()
                .apply(List.of(TrainingExample.of("q", List.of("p1"), List.of("n1", "n2", "n3", "n4"))));
        assertEquals(List.of("n2", "n3", "n4"), o.result().examples().get(0).negatives());
        assertNull(o.result().examples().get(0).negativeScores());
        assertEquals(1, o.negativesDropped());
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEncoderNegativeFilter.builder().build());
        assertTrue(e.getMessage().contains("reranker"));
        e = assertThrows(IllegalArgumentException.class,
                () -> CrossEncoderNegativeFilter.builder().reranker(new TableReranker()).margin(-1).build());
        assertTrue(e.getMessage().contains("margin"));
    }

    @Test
    void teacherScorerStreamsAFileAndReplacesScores(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("mined.jsonl");
        List<TrainingExample> src = new ArrayList<>(examples());
        src.set(3, src.get(3).toBuilder().positiveScores(List.of(9.0)).negativeScores(List.of(9.0)).build());
        FlagJsonlWriter.writeAll(in, src);
        Path out = dir.resolve("scored.jsonl");
        List<Long> progress = new ArrayList<>();
        TeacherScorer.Counts c = new TeacherScorer(new TableReranker()).scoreFile(in, out, progress::add);
        assertEquals(4, c.examples());
        assertEquals(12, c.pairsScored());
        assertEquals(List.of(1L, 2L, 3L, 4L), progress);
        List<TrainingExample> back = TrainingSet.readJsonl(out).examples();
        assertEquals(List.of(5.0), back.get(0).positiveScores());
        assertEquals(List.of(6.0, 4.75, 4.5, 2.0), back.get(0).negativeScores());
        assertEquals(List.of(3.0, 7.0), back.get(1).positiveScores());
        assertEquals(List.of(3.0), back.get(3).positiveScores(), "old scores are replaced");
        assertEquals(List.of(3.25), back.get(3).negativeScores());
        assertEquals(examples().get(0).negatives(), back.get(0).negatives());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TeacherScorer(new TableReranker()).scoreFile(in, in, null));
        assertTrue(e.getMessage().contains("is the input file"));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }
}
