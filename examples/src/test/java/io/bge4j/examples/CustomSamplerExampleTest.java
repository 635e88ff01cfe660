package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import io.bge4j.examples.CustomSamplerExample.SharedOpeningSampler;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The custom sampler's rule on a hand-made corpus of sibling packages, then a short fine-tune with it plugged in. */
class CustomSamplerExampleTest {

    static final String ZED = "zed input framework is a modular input method system for the desktop. this package ";
    static final String A1 = ZED + "provides the lua module.";
    static final String A2 = ZED + "provides the qt frontend.";
    static final String A3 = ZED + "provides the gtk frontend.";
    static final String A4 = ZED + "contains the development headers.";
    static final String B1 = "orca maps is a tile server for offline maps. this package ships the daemon.";
    static final String B2 = "orca maps is a tile server for offline maps. this package ships the command line client.";
    static final String S1 = "a puzzle game with falling blocks and music.";
    static final String S2 = "a puzzle about pushing boxes around a warehouse.";
    static final String S3 = "fonts for displaying mathematical symbols.";

    static final List<String> DOCS = List.of(A1, A2, A3, A4, B1, B2, S1, S2, S3);

    static Corpus corpus() {
        List<CorpusDocument> docs = new ArrayList<>();
        for (int i = 0; i < DOCS.size(); i++) {
            docs.add(new CorpusDocument("d" + i, "", DOCS.get(i)));
        }
        return Corpus.of(docs);
    }

    static List<TrainingExample> examples() {
        return List.of(
                TrainingExample.of("lua support for the zed input framework", List.of(A1), List.of()),
                TrainingExample.of("orca maps daemon", List.of(B1), List.of()),
                TrainingExample.of("falling blocks puzzle game", List.of(S1), List.of()),
                // the positive as a user might have written it: other case and spacing than the corpus copy
                TrainingExample.of("gtk frontend for zed input",
                        List.of("  " + A3.toUpperCase(Locale.ROOT).replace(" ", "   ")), List.of()));
    }

    /** An independent count of shared leading words, for checking the sampler. */
    static int leadingWords(String a, String b) {
        String[] x = a.trim().toLowerCase(Locale.ROOT).split("\\s+");
        String[] y = b.trim().toLowerCase(Locale.ROOT).split("\\s+");
        int i = 0;
        while (i < Math.min(x.length, y.length) && x[i].equals(y[i])) {
            i++;
        }
        return i;
    }

    static String norm(String s) {
        return String.join(" ", s.trim().toLowerCase(Locale.ROOT).split("\\s+"));
    }

    @Test
    void samplerTakesTheSiblingsWithTheLongestSharedOpeningAndNeverAPositive() {
        SharedOpeningSampler sampler = new SharedOpeningSampler(2, 4);
        List<TrainingExample> out = sampler.sample(examples(), corpus()).examples();

        // A1's siblings: A2 and A3 share 16 words, A4 only 14, so A4 is left out
        assertEquals(List.of(A2, A3), out.get(0).negatives());
        assertEquals(List.of(B2), out.get(1).negatives());
        // "a puzzle" is 2 shared words, below the minimum of 4
        assertEquals(List.of(), out.get(2).negatives());
        // the differently spaced and cased positive A3 is still recognised and excluded
        assertEquals(List.of(A1, A2), out.get(3).negatives());

        for (TrainingExample e : out) {
            for (String neg : e.negatives()) {
                for (String pos : e.positives()) {
                    assertFalse(norm(neg).equals(norm(pos)), "negative is a positive: " + neg);
                }
                int best = e.positives().stream().mapToInt(p -> leadingWords(p, neg)).max().orElse(0);
                assertTrue(best >= 4, "negative shares only " + best + " leading words: " + neg);
                assertEquals(best, e.positives().stream()
                        .mapToInt(p -> SharedOpeningSampler.sharedLeadingWords(p, neg)).max().orElse(0));
            }
        }
        assertEquals(16, SharedOpeningSampler.sharedLeadingWords(A1, A2));
        assertEquals(14, SharedOpeningSampler.sharedLeadingWords(A1, A4));
    }

    @Test
    void reportCountsShortExamplesAndLowerMinimumAdmitsMore() {
        var r = new SharedOpeningSampler(2, 4).sample(examples(), corpus());
        assertEquals(4, r.report().examples());
        assertEquals(5, r.report().negativesProduced());
        assertEquals(2, r.report().examplesShort());

        // with a 2-word minimum the two puzzle games become siblings
        var loose = new SharedOpeningSampler(2, 2).sample(examples(), corpus());
        assertEquals(List.of(S2), loose.examples().get(2).negatives());
        assertThrows(IllegalArgumentException.class, () -> new SharedOpeningSampler(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new SharedOpeningSampler(2, 0));
    }

    @Test
    void finetunesWithTheSamplerPluggedIn() {
        List<String> vocab = new ArrayList<>(DOCS);
        examples().forEach(e -> vocab.add(e.query()));
        StringWriter sw = new StringWriter();
        CustomSamplerExample.Outcome r;
        try (BgeModel model = TinyModels.bert(vocab, 5, 0.0)) {
            r = CustomSamplerExample.run(model, TrainingSet.of("siblings", examples()), corpus(),
                    new SharedOpeningSampler(2, 4), 2, 3, 11, new PrintWriter(sw));
        }
        assertEquals(3, r.training().stepsTaken());
        assertEquals(3, r.training().steps().size());
        for (StepRecord s : r.training().steps()) {
            assertTrue(Double.isFinite(s.loss()) && s.loss() > 0, "loss " + s.loss());
        }
        // the trainer ran the very sampler: its diagnostic carries the same report
        TrainingDiagnostic sampled = r.training().diagnostics().stream()
                .filter(d -> d.code().equals("NEGATIVES_SAMPLED")).findFirst().orElseThrow();
        assertEquals(r.sampled().report().summary(), sampled.message());
        assertTrue(sampled.message().startsWith("shared-opening(4+ words)"), sampled.message());
        String out = sw.toString();
        assertTrue(out.contains("query: lua support for the zed input framework"), out);
        assertTrue(out.contains("negative (16 shared words): " + A2.substring(0, 87) + "..."), out);
    }
}
