package io.bge4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
    static final Metric NDCG = Metric.NDCG_AT_10;
    static final Metric RECALL = Metric.parse("recall@100");

    static EvaluationResult result(String name, double... ndcg) {
        Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        double sum = 0;
        for (int i = 0; i < ndcg.length; i++) {
            perQuery.put("q" + i, Map.of(NDCG, ndcg[i], RECALL, Math.min(1, ndcg[i] * 2)));
            texts.put("q" + i, i == 0 ? "<script>alert('x')</script> | pipes & \"quotes\"" : "query " + i);
            sum += ndcg[i];
        }
        double recallSum = perQuery.values().stream().mapToDouble(m -> m.get(RECALL)).sum();
        return new EvaluationResult(name, NDCG, List.of(NDCG, RECALL),
                Map.of(NDCG, sum / ndcg.length, RECALL, recallSum / ndcg.length), perQuery,
                new QueryCounts(ndcg.length, 2, 0, 1), texts, null);
    }

    static Comparison comparison() {
        return Comparison.builder().base(result("bge-small base", .2, .4, .6, .3))
                .tuned(result("bge-small tuned", .6, .4, .9, .1)).bootstrapSamples(500).permutations(1000).build();
    }

    @Test
    void evaluationJsonHasTheStableSchemaAndReadsBack(@TempDir Path dir) throws IOException {
        EvaluationResult r = result("run", .25, .75);
        Path file = dir.resolve("r/results.json");
        JsonReport.write(r, file);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertEquals(List.of("schema", "name", "primary", "mean", "per_query", "queries"), fieldNames(root));
        assertEquals("bge4j.evaluation/1", root.get("schema").asText());
        assertEquals(0.5, root.get("mean").get("ndcg@10").asDouble(), 0.0);
        assertEquals(1.0, root.get("per_query").get("q1").get("recall@100").asDouble(), 0.0);
        assertEquals(2, root.get("queries").get("without_relevant").asInt());
        EvaluationResult back = JsonReport.readResult(file);
        assertEquals(r.mean(), back.mean());
        assertEquals(r.perQuery(), back.perQuery());
        assertEquals(r.counts(), back.counts());
        assertEquals(NDCG, back.primary());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void comparisonJsonCarriesIntervalsAndChangedQueries() throws IOException {
        JsonNode root = new ObjectMapper().readTree(JsonReport.toJson(comparison()));
        assertEquals("bge4j.comparison/1", root.get("schema").asText());
        JsonNode ndcg = root.get("metrics").get("ndcg@10");
        // base mean (.2+.4+.6+.3)/4 = .375, tuned (.6+.4+.9+.1)/4 = .5; per-query deltas +.4, 0, +.3, -.2
        assertEquals(0.375, ndcg.get("base").asDouble(), 1e-12);
        assertEquals(0.5, ndcg.get("tuned").asDouble(), 1e-12);
        assertEquals(0.125, ndcg.get("delta").asDouble(), 1e-12);
        // a bootstrap mean of four of those deltas lies in [-.2, +.4]
        assertTrue(ndcg.get("ci_low").asDouble() >= -0.2 && ndcg.get("ci_low").asDouble() <= 0.125);
        assertTrue(ndcg.get("ci_high").asDouble() >= 0.125 && ndcg.get("ci_high").asDouble() <= 0.4);
        assertEquals(2, ndcg.get("wins").asInt());
        assertEquals(1, ndcg.get("ties").asInt());
        assertEquals(1, ndcg.get("losses").asInt());
        assertEquals("q0", root.get("most_improved").get(0).get("query_id").asText());
        assertEquals("q3", root.get("most_degraded").get(0).get("query_id").asText());
        assertEquals(500, root.get("settings").get("bootstrap_samples").asInt());
    }

    @Test
    void markdownPutsThePrimaryMetricFirstThenAGrid() {
        Comparison c = comparison();
        MetricComparison p = c.metric(NDCG);
        String md = MarkdownReport.render(c);
        assertTrue(md.startsWith("## bge-small base vs bge-small tuned (4 queries)\n\n**ndcg@10: 0.3750 → 0.5000 (+0.1250),"
                + " 95% CI [" + MarkdownReport.signed(p.ciLow()) + ", " + MarkdownReport.signed(p.ciHigh()) + "], p = "
                + MarkdownReport.pValue(p.pValue()) + "**; 2 better, 1 unchanged, 1 worse."), md);
        // deltas .4, 0, .3, -.2: a sign flip of 8 patterns reaches |mean| >= .125 in 4, so p ~ 0.5 and no star
        assertTrue(p.pValue() > 0.3 && p.ciLow() < 0, "the data say 'undecided': " + p);
        assertTrue(md.contains("The interval includes 0"), md);
        assertTrue(md.contains("| measure | @10 | @100 |\n|---|---:|---:|\n| ndcg | **0.5000 (+0.1250)** | |\n"
                + "| recall | | 0.7500 (+0.0500) |\n"), md);
        assertTrue(md.contains("- **q0** <script>alert('x')</script> \\| pipes & \"quotes\": 0.2000 → 0.6000 (+0.4000)"),
                "pipes in query text must be escaped: " + md);
        assertTrue(md.contains("### Most degraded (ndcg@10)\n\n- **q3** query 3: 0.3000 → 0.1000 (-0.2000)"), md);
        String single = MarkdownReport.render(result("run", .25, .75));
        assertTrue(single.contains("| **ndcg@10** | 0.5000 |"), single);
        assertTrue(single.contains("excluded without relevant documents: 2"), single);
    }

    @Test
    void htmlIsSelfContainedEscapedAndLeadsWithThePrimaryInterval() {
        Comparison c = comparison();
        String html = HtmlReport.render(c);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("<script"), "no scripts (and query text must be escaped)");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assertFalse(html.contains("<link"));
        assertFalse(html.contains("@import"));
        assertFalse(html.contains("url("));
        // the only URL is the SVG namespace
        Matcher urls = Pattern.compile("https?://[^\"' ]+").matcher(html);
        while (urls.find()) {
            assertEquals("http://www.w3.org/2000/svg", urls.group());
        }
        assertEquals(1, count(html, "<svg "), "one chart: the primary metric's interval");
        assertTrue(html.indexOf("class=\"headline\"") < html.indexOf("<table class=\"grid\""), "primary first");
        // the interval chart: a 560-pixel axis centred at x = 320, half-width 1.15 × the largest of |Δ|, |low|, |high|
        MetricComparison p = c.metric(NDCG);
        double extent = HtmlReport.axisExtent(p);
        // 1.15 × 0.35 = 0.4025 → 0.5; 1.15 × 0.08 = 0.092 → 0.1; 1.15 × 0.002 = 0.0023 → 0.0025
        assertEquals(0.5, HtmlReport.axisExtent(new MetricComparison(NDCG, 0, 0, 0.125, -0.1, 0.35, 1, 0, 0, 0)), 1e-12);
        assertEquals(0.1, HtmlReport.axisExtent(new MetricComparison(NDCG, 0, 0, -0.08, -0.08, 0.01, 1, 0, 0, 0)), 1e-12);
        assertEquals(0.0025, HtmlReport.axisExtent(new MetricComparison(NDCG, 0, 0, 0.002, 0.001, 0.002, 1, 0, 0, 0)),
                1e-12);
        assertTrue(html.contains(">+" + MarkdownReport.trim(String.format(Locale.ROOT, "%.4f", extent)) + "</text>"), html);
        double scale = 560 / (2 * extent);
        assertTrue(html.contains(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"30\"", 320 + 0.125 * scale)), html);
        assertTrue(html.contains(String.format(Locale.ROOT, "<rect class=\"ci\" x=\"%.1f\"", 320 + p.ciLow() * scale)),
                html);
        // grid: one cell per metric; the primary outlined; tinted by whether the interval excludes 0
        assertEquals(2, count(html, "<td class=\"undecided"));
        assertTrue(html.contains("<td class=\"undecided primary\" title=\"ndcg@10: base 0.3750, tuned 0.5000"), html);
        assertTrue(html.contains("<div class=\"v\">0.7500</div><div class=\"d\"><span class=\"pos\">+0.0500</span>"),
                html);
        assertTrue(html.contains("Retrieved documents are not shown"), "says how to get the rankings");
        String single = HtmlReport.render(result("only", .5));
        assertFalse(single.contains("<svg"), "a single result is a grid, not a bar per metric");
        assertTrue(single.contains("<div class=\"big\">ndcg@10 = 0.5000</div>"), single);
        assertTrue(single.contains("<tr><th>ndcg</th><td class=\"undecided primary\"><div class=\"v\">0.5000</div></td>"
                + "<td></td></tr>\n<tr><th>recall</th><td></td><td class=\"undecided\"><div class=\"v\">1.0000</div>"
                + "</td></tr>"), single);
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
