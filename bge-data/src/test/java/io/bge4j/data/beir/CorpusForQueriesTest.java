package io.bge4j.data.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorpusForQueriesTest {

    @Test
    void judgedDocumentsOfTheQueriesThenNewDistractorsEachOnce() {
        Corpus all = Corpus.of(List.of(new CorpusDocument("a", "", "A"), new CorpusDocument("b", "", "B"),
                new CorpusDocument("c", "", "C"), new CorpusDocument("x", "", "X")));
        Qrels qrels = Qrels.of(Map.of("q1", Map.of("b", 1), "q2", Map.of("c", 1, "missing", 1), "q3", Map.of("a", 1)));
        Corpus c = Corpus.forQueries(all, qrels, List.of("q2", "q1"),
                List.of(new CorpusDocument("x", "", "X"), new CorpusDocument("b", "", "B again")));
        assertEquals(List.of("c", "b", "x"), c.documents().stream().map(CorpusDocument::id).toList());
        assertEquals("B", c.byId("b").orElseThrow().text(), "a judged document wins over a distractor copy");
    }
}
