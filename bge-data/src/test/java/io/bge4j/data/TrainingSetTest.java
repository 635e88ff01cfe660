package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingSetTest {

    private static TrainingSet numbered(int n) {
        List<TrainingExample> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // every third pair of examples shares a query (differing only in case/space)
            String q = i % 3 == 0 && i > 0 ? "Query  " + (i - 1) : "query " + i;
            l.add(TrainingExample.of(q, List.of("p" + i), i % 2 == 0 ? List.of() : List.of("n" + i)));
        }
        return TrainingSet.of("s", l);
    }

    @Test
    void builderValidatesAndNamesTheOption() {
        assertEquals("positives is required; call positives(...) with at least one passage",
                assertThrows(IllegalArgumentException.class, () -> TrainingExample.builder().query("q").build())
                        .getMessage());
        assertEquals("positiveScores has 1 values but positives has 2; give exactly one score per passage, or none",
                assertThrows(IllegalArgumentException.class, () -> TrainingExample.builder().query("q")
                        .positives(List.of("a", "b")).positiveScores(List.of(1.0)).build()).getMessage());
        assertEquals("negativeScores has 2 values but negatives has 0; give exactly one score per passage, or none",
                assertThrows(IllegalArgumentException.class, () -> TrainingExample.builder().query("q")
                        .positives(List.of("a")).negativeScores(List.of(1.0, 2.0)).build()).getMessage());
        assertEquals("positives must contain at least one passage", assertThrows(IllegalArgumentException.class,
                () -> TrainingExample.builder().query("q").positives(List.of()).build()).getMessage());
        assertEquals("positiveScores[0] is NaN; scores must be finite numbers", assertThrows(
                IllegalArgumentException.class, () -> TrainingExample.builder().query("q").positives(List.of("a"))
                        .positiveScores(List.of(Double.NaN)).build()).getMessage());
        TrainingExample ok = TrainingExample.builder().query("q").positives(List.of("a")).negatives(List.of("n"))
                .positiveScores(List.of(1.0)).negativeScores(List.of(0.5)).type("t").build();
        assertEquals(ok, ok.toBuilder().build());
        TrainingExample replaced = ok.withNegatives(List.of("m"));
        assertNull(replaced.positiveScores());
        assertNull(replaced.negativeScores());
        assertEquals("t", replaced.type());
    }

    @Test
    void splitIsReproducibleKeepsQueriesTogetherAndHitsTheTarget() {
        TrainingSet s = numbered(200);
        TrainingSet.Split a = s.split(0.1, 7);
        TrainingSet.Split b = s.split(0.1, 7);
        assertEquals(a.train().examples(), b.train().examples());
        assertEquals(a.dev().examples(), b.dev().examples());
        assertNotEquals(a.dev().examples(), s.split(0.1, 8).dev().examples());
        assertEquals(200, a.train().size() + a.dev().size());
        assertTrue(a.dev().size() >= 20 && a.dev().size() <= 21, "dev size " + a.dev().size());
        Set<String> trainQueries = new HashSet<>();
        a.train().forEach(e -> trainQueries.add(TextNormalizer.normalize(e.query())));
        a.dev().forEach(e -> assertTrue(!trainQueries.contains(TextNormalizer.normalize(e.query())),
                "query on both sides: " + e.query()));
        assertEquals("s-train", a.train().name());
        assertEquals("s-dev", a.dev().name());
    }

    @Test
    void sampleFilterConcatAndBySource() {
        TrainingSet s = numbered(50);
        TrainingSet sample = s.sample(10, 3);
        assertEquals(10, sample.size());
        assertEquals(sample.examples(), s.sample(10, 3).examples());
        List<Integer> positions = sample.stream().map(e -> s.examples().indexOf(e)).toList();
        assertEquals(positions.stream().sorted().toList(), positions, "sample keeps the original order");
        assertEquals(25, s.filter(e -> e.negatives().isEmpty()).size());
        TrainingSet other = TrainingSet.of("t", List.of(TrainingExample.of("x", List.of("y"), List.of())));
        TrainingSet all = TrainingSet.concat("all", List.of(s.withSourceName(), other.withSourceName()));
        assertEquals(51, all.size());
        assertEquals(List.of("s", "t"), List.copyOf(all.bySource().keySet()));
        assertEquals(50, all.bySource().get("s").size());
        assertEquals(s.examples(), s.shuffle(1).shuffle(1).stream().sorted((x, y) ->
                Integer.compare(s.examples().indexOf(x), s.examples().indexOf(y))).toList());
    }

    @Test
    void normalizerFoldsCaseWidthAndWhitespace() {
        assertEquals("hello world", TextNormalizer.normalize("  Hello\t\u00A0WORLD \n"));
        assertEquals("abc", TextNormalizer.normalize("ＡＢＣ"));
        assertEquals("a b", TextNormalizer.normalize("a b"));
        assertEquals("", TextNormalizer.normalize(" \t "));
    }
}
