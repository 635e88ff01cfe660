package io.bge4j.data.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {

    static TrainingExample ex(String q, String p) {
        return TrainingExample.of(q, List.of(p), List.of());
    }

    @Test
    void similarityIsExactShingleJaccard() {
        Deduplicator d = Deduplicator.builder().build();
        // 5-character shingles of the normalised texts: 23 shared out of 33 distinct
        assertEquals(23.0 / 33, d.similarity("how to reset password on linux", "How to reset the password on Linux"),
                1e-12);
        assertEquals(1.0, d.similarity("A  b", "a b"));
        assertEquals(0.0, d.similarity("install nginx on ubuntu", "how to reset password"));
    }

    @Test
    void removesExactAndNearDuplicateQueriesKeepingTheFirst() {
        TrainingSet in = TrainingSet.of("s", List.of(ex("how to reset password on linux", "p1"),
                ex("How to  reset PASSWORD on linux", "p2"), ex("how to reset the password on linux", "p3"),
                ex("install nginx on ubuntu", "p4")));
        FilterResult r = Deduplicator.builder().threshold(0.6).build().apply(in);
        assertEquals(List.of(in.get(0), in.get(3)), r.kept().examples());
        assertEquals(Map.of("exact duplicate query", 1, "near duplicate query", 1),
                r.report().steps().get(0).droppedByReason());
        FilterResult strict = Deduplicator.builder().threshold(0.7).build().apply(in);
        assertEquals(List.of(in.get(0), in.get(2), in.get(3)), strict.kept().examples());
        FilterResult exactOnly = Deduplicator.builder().threshold(0.6).nearDuplicates(false).build().apply(in);
        assertEquals(3, exactOnly.kept().size());
    }

    @Test
    void deduplicatesPositivesAndPassageLists() {
        TrainingSet in = TrainingSet.of("s", List.of(ex("q1", "Apt installs packages."), ex("q2", "apt installs packages."),
                ex("q3", "Something else entirely.")));
        FilterResult r = Deduplicator.builder().field(Deduplicator.Field.POSITIVE).build().apply(in);
        assertEquals(List.of(in.get(0), in.get(2)), r.kept().examples());
        assertEquals("dedup-positive", r.report().steps().get(0).filter());

        int[] dup = Deduplicator.builder().threshold(0.6).build().duplicateOf(List.of("how to reset password on linux",
                "unrelated text here", "how to reset the password on linux", "UNRELATED text here"));
        assertArrayEquals(new int[] {-1, -1, 0, 1}, dup);
    }

    @Test
    void findsNearDuplicatesAmongManyTexts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("document number " + i + " talks about topic " + (i * 7919 % 1000) + " in some detail");
        }
        texts.add("document number 17 talks about topic " + (17 * 7919 % 1000) + " in some detail!");
        int[] dup = Deduplicator.builder().threshold(0.9).build().duplicateOf(texts);
        assertEquals(17, dup[200]);
        for (int i = 0; i < 200; i++) {
            assertEquals(-1, dup[i], "text " + i);
        }
    }
}
