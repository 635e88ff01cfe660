package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ScoringModel seam, driven by langchain4j's own ReRankingContentAggregator with a hand-made scorer. */
class BgeLangChain4jScoringModelTest {

    /** Scores a passage by the number of query words it contains, minus 1 (so 0, 1, 2 words give -1, 0, 1). */
    private static final PassageScorer OVERLAP = (query, passages) -> {
        float[] s = new float[passages.size()];
        List<String> words = List.of(query.toLowerCase().split(" "));
        for (int i = 0; i < s.length; i++) {
            int n = 0;
            for (String w : passages.get(i).toLowerCase().split(" ")) {
                n += words.contains(w) ? 1 : 0;
            }
            s[i] = n - 1;
        }
        return s;
    };

    @Test
    void rawAndSigmoidScoresAreTheScorersInOrder() {
        List<TextSegment> segs = List.of(TextSegment.from("vim editor"), TextSegment.from("nginx web server"),
                TextSegment.from("apache web"));
        BgeLangChain4jScoringModel raw = BgeLangChain4jScoringModel.of(OVERLAP);
        assertEquals(List.of(-1.0, 1.0, 0.0), raw.scoreAll(segs, "web server").content());
        // sigmoid(-1) = 0.268941..., sigmoid(1) = 0.731058..., sigmoid(0) = 0.5
        List<Double> norm = raw.normalized().scoreAll(segs, "web server").content();
        assertEquals(0.2689414213699951, norm.get(0), 1e-12);
        assertEquals(0.7310585786300049, norm.get(1), 1e-12);
        assertEquals(0.5, norm.get(2), 1e-12);
        assertEquals(1.0, raw.score("nginx web server", "web server").content(), 0.0);
        assertTrue(raw.scoreAll(List.of(), "q").content().isEmpty());
    }

    @Test
    void reRankingContentAggregatorOrdersAndFiltersByTheScores() {
        BgeLangChain4jScoringModel scoring = BgeLangChain4jScoringModel.of(OVERLAP).normalized();
        ReRankingContentAggregator aggregator = ReRankingContentAggregator.builder().scoringModel(scoring)
                .minScore(0.5).build();
        List<Content> first = List.of(Content.from("vim editor"), Content.from("apache web"),
                Content.from("nginx web server"));
        Collection<List<Content>> lists = new ArrayList<>();
        lists.add(first);
        List<Content> out = aggregator.aggregate(Map.of(Query.from("web server"), lists));
        assertEquals(List.of("nginx web server", "apache web"), out.stream().map(c -> c.textSegment().text()).toList());
    }

    @Test
    void aScorerThatLosesPassagesIsAnError() {
        BgeLangChain4jScoringModel bad = BgeLangChain4jScoringModel.of((q, p) -> new float[p.size() - 1]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bad.scoreAll(List.of(TextSegment.from("a"), TextSegment.from("b")), "q"));
        assertTrue(e.getMessage().contains("1 scores for 2 passages"), e.getMessage());
    }
}
