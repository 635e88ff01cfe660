package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomNegativeSamplerTest {

    private static Corpus corpus(int n) {
        List<CorpusDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new CorpusDocument("d" + i, "", "document number " + i));
        }
        return Corpus.of(docs);
    }

    @Test
    void seededUniformAndNeverThePositiveOrItsTextTwin() {
        List<CorpusDocument> docs = new ArrayList<>(corpus(20).documents());
        docs.add(new CorpusDocument("twin", "", "  DOCUMENT   number 3 ")); // same text as d3 under another id
        Corpus c = Corpus.of(docs);
        List<TrainingExample> ex = List.of(TrainingExample.of("q", List.of("document number 3"), List.of()));
        Map<String, Integer> counts = new HashMap<>();
        for (long seed = 0; seed < 400; seed++) {
            SamplingResult r = RandomNegativeSampler.builder().negativesPerQuery(5).seed(seed).build().sample(ex, c);
            assertEquals(5, r.examples().get(0).negatives().size());
            r.provenance().get(0).forEach(s -> counts.merge(s.docId(), 1, Integer::sum));
        }
        assertEquals(null, counts.get("d3"));
        assertEquals(null, counts.get("twin"));
        assertEquals(19, counts.size(), "every other document is drawn at some point");
        // 400 draws of 5 among 19 documents: about 105 each
        counts.values().forEach(v -> assertTrue(v > 60 && v < 160, "count " + v));
        SamplingResult a = RandomNegativeSampler.builder().seed(1).negativesPerQuery(5).build().sample(ex, c);
        SamplingResult b = RandomNegativeSampler.builder().seed(1).negativesPerQuery(5).build().sample(ex, c);
        SamplingResult other = RandomNegativeSampler.builder().seed(2).negativesPerQuery(5).build().sample(ex, c);
        assertEquals(a.examples(), b.examples());
        assertNotEquals(a.examples(), other.examples());
    }

    @Test
    void smallCorpusGivesEverythingItHasAndReportsTheShortfall() {
        Corpus c = corpus(4);
        List<TrainingExample> ex = List.of(TrainingExample.of("q", List.of("document number 0"), List.of()),
                TrainingExample.of("q", List.of("not in corpus"), List.of()));
        SamplingResult r = RandomNegativeSampler.builder().negativesPerQuery(10).build().sample(ex, c);
        assertEquals(3, r.examples().get(0).negatives().size());
        assertEquals(4, r.examples().get(1).negatives().size());
        assertEquals(2, r.report().examplesShort());
        assertEquals(1, r.report().positivesNotInCorpus());
        assertEquals(7, r.report().negativesProduced());
    }
}
