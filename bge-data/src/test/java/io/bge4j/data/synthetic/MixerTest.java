package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixerTest {

    static TrainingSet set(String source, int n, String type) {
        List<TrainingExample> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(TrainingExample.builder().query(source + " q" + i).positives(List.of(source + " p" + i))
                    .source(source).type(type).build());
        }
        return TrainingSet.of(source, list);
    }

    @Test
    void targetRatioKeepsAllRealAndSamplesSynthetic() {
        TrainingSet real = set("real", 6, null);
        TrainingSet syn = set("synthetic", 10, "synthetic");
        Mixer.Result r = Mixer.builder().add(real).add(syn).syntheticRatio(0.25).seed(3).build().mix();
        assertEquals(8, r.trainingSet().size());
        assertEquals(6, r.report().real());
        assertEquals(2, r.report().synthetic());
        assertEquals(new MixReport.SourceCount(6, 6, false), r.report().sources().get("real"));
        assertEquals(new MixReport.SourceCount(10, 2, true), r.report().sources().get("synthetic"));
        assertEquals(real.examples(), r.trainingSet().examples().subList(0, 6), "real examples first, in order");
        // same seed, same pick; the pick is a sample, not the first two
        assertEquals(r.trainingSet().examples(),
                Mixer.builder().add(real).add(syn).syntheticRatio(0.25).seed(3).build().mix().trainingSet().examples());
        List<List<TrainingExample>> picks = new ArrayList<>();
        for (int seed = 0; seed < 6; seed++) {
            picks.add(Mixer.builder().add(real).add(syn).syntheticRatio(0.25).seed(seed).build().mix().trainingSet()
                    .examples().subList(6, 8));
        }
        assertNotEquals(1, picks.stream().distinct().count(), "different seeds should pick differently");
    }

    @Test
    void tooFewSyntheticUsesAllOfThem() {
        Mixer.Result r = Mixer.builder().add(set("real", 6, null)).add(set("synthetic", 10, "synthetic"))
                .syntheticRatio(0.9).build().mix();
        assertEquals(16, r.trainingSet().size());
        assertEquals(10.0 / 16, r.report().syntheticShare(), 1e-12);
    }

    @Test
    void perSourceWeights() {
        TrainingSet a = set("a", 10, null);
        TrainingSet b = set("b", 10, null);
        TrainingSet c = set("synthetic-c", 4, null);
        Mixer.Result withTotal = Mixer.builder().add(a).add(b).add(c)
                .weights(Map.of("a", 2.0, "b", 1.0, "synthetic-c", 1.0)).total(8).build().mix();
        assertEquals(4, withTotal.report().sources().get("a").selected());
        assertEquals(2, withTotal.report().sources().get("b").selected());
        assertEquals(2, withTotal.report().sources().get("synthetic-c").selected());
        assertEquals(6, withTotal.report().real());
        assertEquals(2, withTotal.report().synthetic());
        // without a total: the largest mix no source runs short for is 16 (c has 4 = a quarter)
        Mixer.Result auto = Mixer.builder().add(a).add(b).add(c)
                .weights(Map.of("a", 2.0, "b", 1.0, "synthetic-c", 1.0)).build().mix();
        assertEquals(16, auto.trainingSet().size());
        assertEquals(8, auto.report().sources().get("a").selected());
        assertEquals(4, auto.report().sources().get("synthetic-c").selected());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mixer.builder().add(a).add(b).weights(Map.of("a", 1.0)).build().mix());
        assertTrue(e.getMessage().startsWith("source 'b' has no weight"), e.getMessage());
    }

    @Test
    void reportCarriesFilterCountsAsJsonAndMarkdown() throws Exception {
        FilterReport fr = FilterReport.of(new FilterStep("length", 10, 7, 1, Map.of("query shorter than 2 units", 3)));
        Mixer.Result r = Mixer.builder().add(set("real", 2, null)).add(set("synthetic", 2, "synthetic"))
                .syntheticRatio(0.5).filterReport("synthetic", fr).build().mix();
        JsonNode j = new ObjectMapper().readTree(r.report().toJson());
        assertEquals(4, j.get("total").asInt());
        assertEquals(2, j.get("sources").get("synthetic").get("selected").asInt());
        JsonNode step = j.get("filters").get("synthetic").get(0);
        assertEquals("length", step.get("filter").asText());
        assertEquals(3, step.get("dropped_by_reason").get("query shorter than 2 units").asInt());
        String md = r.report().toMarkdown();
        assertTrue(md.contains("| synthetic | synthetic | 2 | 2 |"), md);
        assertTrue(md.contains("| length | 10 | 7 | 1 | 3 | query shorter than 2 units: 3 |"), md);
    }

    @Test
    void builderNamesTheBadOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mixer.builder().add(set("a", 1, null)).build());
        assertTrue(e.getMessage().contains("exactly one of syntheticRatio"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Mixer.builder().add(set("a", 1, null)).syntheticRatio(1.0).build());
        assertTrue(e.getMessage().startsWith("syntheticRatio"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Mixer.builder().add(set("a", 1, null)).weights(Map.of("a", -1.0)).build());
        assertTrue(e.getMessage().startsWith("weights['a']"), e.getMessage());
    }
}
