package io.bge4j.data.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TextNormalizer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class DeduplicatorProperties {

    @Provide
    Arbitrary<List<String>> texts() {
        // a tiny alphabet makes exact and near duplicates common
        Arbitrary<String> t = Arbitraries.strings().withChars('a', 'b', ' ', 'C').ofMinLength(0).ofMaxLength(14);
        return t.list().ofMinSize(0).ofMaxSize(25);
    }

    @Property(tries = 200)
    void everyDuplicatePointsBackToAKeptSimilarText(@ForAll("texts") List<String> texts) {
        Deduplicator d = Deduplicator.builder().threshold(0.7).shingleSize(3).build();
        int[] dup = d.duplicateOf(texts);
        assertEquals(texts.size(), dup.length);
        for (int i = 0; i < dup.length; i++) {
            if (dup[i] < 0) {
                continue;
            }
            assertTrue(dup[i] < i, "points forward at " + i);
            assertEquals(-1, dup[dup[i]], "points at a removed text");
            boolean exact = TextNormalizer.normalize(texts.get(i)).equals(TextNormalizer.normalize(texts.get(dup[i])));
            assertTrue(exact || d.similarity(texts.get(i), texts.get(dup[i])) >= 0.7,
                    texts.get(i) + " vs " + texts.get(dup[i]));
        }
        // exact copies of a kept text are always caught
        for (int i = 0; i < dup.length; i++) {
            for (int j = 0; j < i; j++) {
                if (dup[j] < 0 && TextNormalizer.normalize(texts.get(i)).equals(TextNormalizer.normalize(texts.get(j)))) {
                    assertTrue(dup[i] >= 0, "exact copy " + i + " of kept " + j + " survived");
                }
            }
        }
    }
}
