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

    @Test
    void theMixedSetCarriesItsReportWhileItHoldsTheSameExamples() {
        Mixer.Result r = Mixer.builder().add(set("real", 6, null)).add(set("synthetic", 10, "synthetic"))
                .syntheticRatio(0.25).seed(3).build().mix();
        TrainingSet mixed = r.trainingSet();
        assertEquals(r.report(), mixed.mix().orElseThrow());
        assertEquals(6, mixed.mix().orElseThrow().real());
        assertEquals(2, mixed.mix().orElseThrow().synthetic());
        // same examples: the report still describes the set
        assertEquals(r.report(), mixed.named("train").mix().orElseThrow());
        assertEquals(r.report(), mixed.shuffle(7).mix().orElseThrow());
        assertEquals(r.report(), mixed.withSourceName().mix().orElseThrow());
        assertEquals(r.report(), mixed.sample(8, 1).mix().orElseThrow());
        // other examples: it would not, so it is dropped
        assertTrue(mixed.sample(5, 1).mix().isEmpty());
        assertTrue(mixed.filter(e -> true).mix().isEmpty(), "a filter result is a new selection");
        assertTrue(mixed.split(0.25, 1).train().mix().isEmpty());
        assertTrue(TrainingSet.concat("c", List.of(mixed)).mix().isEmpty());
        assertTrue(set("plain", 3, null).mix().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> set("plain", 3, null).withMix(r.report()));
        assertTrue(e.getMessage().contains("mix report of 8 examples (6 real + 2 synthetic) does not describe set"
                + " 'plain' of 3"), e.getMessage());
    }

    @Test
    void reportReadsBackFromItsJson() {
        FilterReport fr = FilterReport.of(new FilterStep("length", 10, 7, 1, Map.of("query shorter than 2 units", 3)))
                .then(FilterReport.of(new FilterStep("copy <4-gram>", 7, 7, 0, Map.of())));
        MixReport m = Mixer.builder().add(set("real", 2, null)).add(set("synthetic", 3, "synthetic"))
                .syntheticRatio(0.5).filterReport("synthetic", fr).build().mix().report();
        assertEquals(m, MixReport.fromJson(m.toJson()));
        assertEquals(new MixReport(Map.of(), 0, 0, Map.of()), MixReport.fromJson("{\"real\":0,\"synthetic\":0,"
                + "\"sources\":{}}"), "filters may be absent");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixReport.fromJson(
                "{\"real\":1,\"synthetic\":0,\"sources\":{\"a\":{\"available\":1,\"selected\":\"x\",\"synthetic\":false}}}"));
        assertTrue(e.getMessage().contains("field 'sources.a.selected': expected an integer >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MixReport.fromJson("[1]"));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
    }

    @Test
    void htmlEscapesNamesAndListsEverySource() {
        MixReport m = new MixReport(Map.of("<real>", new MixReport.SourceCount(6, 6, false)), 6, 0,
                Map.of("s&t", FilterReport.of(new FilterStep("len", 3, 2, 0, Map.of("too \"short\"", 1)))));
        String html = m.toHtml();
        assertTrue(html.contains("6 examples: 6 real, 0 synthetic (0.0 % synthetic)"), html);
        assertTrue(html.contains("<tr><td>&lt;real&gt;</td><td>real</td><td>6</td><td>6</td></tr>"), html);
        assertTrue(html.contains("<h3>Filters: s&amp;t</h3>"), html);
        assertTrue(html.contains("too &quot;short&quot;: 1"), html);
    }
}
