package io.bge4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import io.bge4j.data.sampling.SampledNegative;
import io.bge4j.data.sampling.SamplingReport;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.Run;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonReportTest {

    /** q0 improves (its relevant d0 moves from rank 3 to 1), q3 degrades (d3 from 1 to not retrieved). */
    static ComparisonReport rich() {
        Comparison c = ReportsTest.comparison();
        Run before = Run.builder()
                .add("q0", "d9", 0.9).add("q0", "d8", 0.8).add("q0", "d0", 0.7)
                .add("q3", "d3", 0.95).add("q3", "d8", 0.5).build();
        Run after = Run.builder()
                .add("q0", "d0", 0.99).add("q0", "d9", 0.6).add("q0", "d8", 0.1)
                .add("q3", "d8", 0.7).add("q3", "d9", 0.6).build();
        Corpus corpus = Corpus.of(List.of(new CorpusDocument("d0", "nginx", "a fast <http> server"),
                new CorpusDocument("d3", "", "apt installs packages"), new CorpusDocument("d8", "", "a text editor"),
                new CorpusDocument("d9", "", "a web browser")));
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        judged.put("q0", Map.of("d0", 1, "d8", 0));
        judged.put("q3", Map.of("d3", 2));
        return ComparisonReport.builder(c).runs(before, after).corpus(corpus).qrels(Qrels.of(judged)).topDocuments(2)
                .mixing(mix()).mining(mining()).build();
    }

    static MixReport mix() {
        return new MixReport(Map.of("real", new MixReport.SourceCount(300, 300, false), "synthetic",
                new MixReport.SourceCount(500, 100, true)), 300, 100, Map.of("synthetic",
                FilterReport.of(new FilterStep("length", 520, 500, 3, Map.of("too short", 20)))));
    }

    static MiningSummary mining() {
        TrainingExample a = TrainingExample.of("q a", List.of("p"), List.of("n1", "n2"));
        TrainingExample b = TrainingExample.of("q b", List.of("p"), List.of("n3"));
        TrainingExample c = TrainingExample.of("q c", List.of("p"), List.of("n4", "n5"));
        SamplingReport rep = new SamplingReport("dense", 3, 2, 5, 1, 1, 1, 0, 4, 7);
        List<List<SampledNegative>> prov = List.of(
                List.of(new SampledNegative("x1", 1, "n1", 2, 0.50, false), new SampledNegative("x2", 2, "n2", 3, 0.40, false)),
                List.of(new SampledNegative("x3", 3, "n3", -1, Double.NaN, true)),
                List.of(new SampledNegative("x4", 4, "n4", 5, 0.30, false), new SampledNegative("x5", 5, "n5", 6, 0.20, false)));
        return MiningSummary.of(new SamplingResult(List.of(a, b, c), rep, prov)).withPositiveScores(List.of(0.8, 0.9));
    }

    @Test
    void miningSummaryCountsNegativesPerQueryAndKeepsRankedScores() {
        MiningSummary m = mining();
        assertEquals(Map.of(1, 1, 2, 2), m.negativesPerQuery());
        assertEquals(List.of(0.5, 0.4, 0.3, 0.2), m.negativeScores(), "the random top-up has no score");
        assertEquals(List.of(0.8, 0.9), m.positiveScores());
        assertEquals("4, mean 0.350, min 0.200, median 0.350, max 0.500", MarkdownReport.stats(m.negativeScores()));
        // 20 bins over [0.2, 0.9]: 0.2 → bin 0, 0.3 → 2 (0.1/0.7·20 = 2.86), 0.4 → 5, 0.5 → 8, 0.9 → the last bin
        int[] bins = Charts.bin(List.of(0.2, 0.3, 0.4, 0.5, 0.9), 0.2, 0.9, 20);
        int[] want = new int[20];
        want[0] = 1;
        want[2] = 1;
        want[5] = 1;
        want[8] = 1;
        want[19] = 1;
        assertArrayEquals(want, bins);
    }

    @Test
    void htmlShowsRelevantAndRetrievedDocumentsBeforeAndAfter() {
        String html = HtmlReport.render(rich());
        // q0: the relevant document climbed from rank 3 to 1
        assertTrue(html.contains("Relevant <span class=\"id\">d0</span>: rank 3 → 1 — nginx a fast &lt;http&gt; server"),
                html);
        assertTrue(html.contains("<div><b>Before: bge-small base</b><ol class=\"hits\"><li><span class=\"id\">d9 0.900</span>"
                + " a web browser</li><li><span class=\"id\">d8 0.800</span> a text editor</li></ol></div>"), html);
        assertTrue(html.contains("<div><b>After: bge-small tuned</b><ol class=\"hits\"><li class=\"rel\">✓ <span class=\"id\">"
                + "d0 0.990</span> nginx a fast &lt;http&gt; server</li>"), html);
        // q3: graded 2, lost from the top
        assertTrue(html.contains("Relevant <span class=\"id\">d3</span> (grade 2): rank 1 → not retrieved"), html);
        assertTrue(html.indexOf("Most improved") < html.indexOf("Most degraded"));
        // mixing and mining in the same page
        assertTrue(html.contains("<h2>Training data mix</h2>\n<p>400 examples: 300 real, 100 synthetic (25.0 % synthetic)."),
                html);
        assertTrue(html.contains("<td>length</td><td>520</td><td>500</td><td>3</td><td>20</td><td class=\"text\">too short: 20"),
                html);
        assertTrue(html.contains("<tr><td>dropped as likely false negatives</td><td>7</td></tr>"), html);
        assertTrue(html.contains("negatives (4, mean 0.350)") && html.contains("positives (2, mean 0.850)"), html);
        assertEquals(3, count(html, "<svg "), "the interval, then negatives per query and the score histogram");
    }

    @Test
    void markdownListsTheSameDocuments() {
        String md = MarkdownReport.render(rich());
        assertTrue(md.contains("  - relevant `d0`, rank 3 → 1: nginx a fast <http> server\n"
                + "  - before: 1. `d9` 0.900 a web browser; 2. `d8` 0.800 a text editor;\n"
                + "  - after: 1. ✓ `d0` 0.990 nginx a fast <http> server; 2. `d9` 0.600 a web browser;\n"), md);
        assertTrue(md.contains("### Training data mix\n\n| source | kind | available | selected |"), md);
        assertTrue(md.contains("### Hard-negative mining\n\ndense: 3 examples, 5 negatives"), md);
        assertTrue(md.contains("| negatives | queries |\n|---:|---:|\n| 1 | 1 |\n| 2 | 2 |\n"), md);
        assertTrue(md.contains("Positive scores: 2, mean 0.850, min 0.800, median 0.850, max 0.900"), md);
    }

    @Test
    void topDocumentsMustBePositive() {
        assertThrows(IllegalArgumentException.class,
                () -> ComparisonReport.builder(ReportsTest.comparison()).topDocuments(0).build());
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
