package io.bge4j.data.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundTripConsistencyFilterTest {

    /** Vectors by keyword, so that rankings are known in advance. */
    static final class KeywordEmbedder implements Embedder {
        final List<String> queriesSeen = new ArrayList<>();

        static float[] vec(String t) {
            if (t.contains("apple")) {
                return new float[] {1, 0, 0};
            }
            if (t.contains("banana")) {
                return new float[] {0, 1, 0};
            }
            return new float[] {0, 0, 1};
        }

        @Override
        public float[][] encodeQueries(List<String> queries) {
            queriesSeen.addAll(queries);
            return encode(queries);
        }

        @Override
        public float[][] encodeCorpus(List<String> documents) {
            return encode(documents);
        }

        @Override
        public float[][] encode(List<String> texts) {
            return texts.stream().map(KeywordEmbedder::vec).toArray(float[][]::new);
        }

        @Override
        public int dimension() {
            return 3;
        }

        @Override
        public String fingerprint() {
            return "keywords";
        }

        @Override
        public void close() {
        }
    }

    static TrainingExample synth(String q, String p) {
        return TrainingExample.builder().query(q).positives(List.of(p)).type("synthetic").build();
    }

    @Test
    void keepsOnlyQueriesWhoseSourcePassageRanksInTopK() {
        // corpus order: [banana plantation notes, apple orchard facts, apple cider recipe]
        TrainingExample ok = synth("apple pie", "apple orchard facts");
        TrainingExample wrong = synth("banana bread", "apple cider recipe");
        TrainingExample tie = synth("apple juice", "apple cider recipe"); // ties with orchard, which comes first
        TrainingExample real = TrainingExample.of("cherry", List.of("apple orchard facts"), List.of());
        TrainingSet in = TrainingSet.of("s", List.of(ok, wrong, tie, real));
        KeywordEmbedder emb = new KeywordEmbedder();
        FilterResult top1 = RoundTripConsistencyFilter.builder().embedder(emb).topK(1)
                .corpus(List.of("banana plantation notes")).appliesTo(e -> "synthetic".equals(e.type())).build()
                .apply(in);
        assertEquals(List.of(ok, real), top1.kept().examples());
        assertEquals(Map.of("source passage not in top 1", 2), top1.report().steps().get(0).droppedByReason());
        assertEquals("round-trip@1", top1.report().steps().get(0).filter());
        assertEquals(List.of("apple pie", "banana bread", "apple juice"), emb.queriesSeen, "real examples are not searched");

        FilterResult top2 = RoundTripConsistencyFilter.builder().embedder(new KeywordEmbedder()).topK(2)
                .corpus(List.of("banana plantation notes")).appliesTo(e -> "synthetic".equals(e.type())).build()
                .apply(in);
        assertEquals(List.of(ok, tie, real), top2.kept().examples());
    }

    @Test
    void worksWithARealTinyModel() {
        List<String> texts = List.of("apt installs packages", "nginx serves web pages", "how do I install packages",
                "which program serves web pages");
        TrainingSet in = TrainingSet.of("s", List.of(synth(texts.get(2), texts.get(0)), synth(texts.get(3), texts.get(1))));
        try (BgeModel m = TinyModels.bert(texts, 3, 0.0); Embedder emb = m.embedder().build()) {
            // with k = corpus size every source passage is found
            FilterResult r = RoundTripConsistencyFilter.builder().embedder(emb).topK(2).build().apply(in);
            assertEquals(2, r.kept().size());
            float[][] q = emb.encodeQueries(List.of(texts.get(2)));
            float[][] d = emb.encodeCorpus(List.of(texts.get(0), texts.get(1)));
            boolean firstWins = dot(q[0], d[0]) >= dot(q[0], d[1]);
            FilterResult r1 = RoundTripConsistencyFilter.builder().embedder(emb).topK(1).build().apply(in);
            assertEquals(firstWins, r1.kept().examples().contains(in.get(0)));
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RoundTripConsistencyFilter.builder().build());
        assertTrue(e.getMessage().startsWith("embedder is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RoundTripConsistencyFilter.builder().embedder(new KeywordEmbedder()).topK(0).build());
        assertTrue(e.getMessage().startsWith("topK"), e.getMessage());
    }
}
