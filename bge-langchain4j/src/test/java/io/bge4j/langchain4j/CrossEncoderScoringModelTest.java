package io.bge4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import io.bge4j.core.BgeModel;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A real bge4j {@link CrossEncoder} (tiny, random weights) behind langchain4j's ScoringModel and aggregator. */
class CrossEncoderScoringModelTest {

    private static final List<String> PASSAGES = List.of("nginx web server", "vim text editor",
            "apache web server httpd", "gnome desktop fonts", "postgresql database server");
    private static final String QUERY = "fast web server";

    @Test
    void scoresAndRankingAreTheCrossEncoders() {
        List<String> words = new ArrayList<>(PASSAGES);
        words.add(QUERY);
        try (BgeModel tiny = TinyModels.bert(words, 7, 0.0);
                CrossEncoder ce = CrossEncoder.fromEmbedder(tiny, 11)) {
            float[] want = ce.score(QUERY, PASSAGES);
            BgeLangChain4jScoringModel scoring = BgeLangChain4jScoringModel.forReranker(ce);
            List<Double> got = scoring.scoreAll(PASSAGES.stream().map(TextSegment::from).toList(), QUERY).content();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got.get(i), 0.0, "passage " + i);
            }
            List<Double> norm = scoring.normalized()
                    .scoreAll(PASSAGES.stream().map(TextSegment::from).toList(), QUERY).content();
            for (int i = 0; i < want.length; i++) {
                assertEquals(1.0 / (1.0 + Math.exp(-want[i])), norm.get(i), 1e-12, "passage " + i);
            }

            List<String> expectedOrder = IntStream.range(0, want.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -want[i])).map(PASSAGES::get).toList();
            ReRankingContentAggregator aggregator = ReRankingContentAggregator.builder().scoringModel(scoring).build();
            Collection<List<Content>> lists = new ArrayList<>();
            lists.add(PASSAGES.stream().map(Content::from).toList());
            List<Content> out = aggregator.aggregate(Map.of(Query.from(QUERY), lists));
            assertEquals(expectedOrder, out.stream().map(c -> c.textSegment().text()).toList());
        }
    }
}
