package io.bge4j.data.sampling;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Small corpora with many near-duplicates, and examples whose positives come from them. */
final class SamplingFixtures {
    static final String[] WORDS = {"apple", "banana", "cherry", "delta", "echo", "fox", "golf", "hotel", "india",
        "juliet", "kilo", "lima"};

    private SamplingFixtures() {
    }

    /** A corpus and examples, drawn from one seed. */
    record Case(Corpus corpus, List<TrainingExample> examples, long seed) {
    }

    static String sentence(Random rnd, int minWords, int maxWords) {
        int n = minWords + rnd.nextInt(maxWords - minWords + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** Changes case and spacing so that only normalisation recognises the text. */
    static String disguise(Random rnd, String text) {
        String t = rnd.nextBoolean() ? text.toUpperCase(Locale.ROOT) : text;
        if (rnd.nextBoolean()) {
            t = "  " + t.replace(" ", " \t ") + " ";
        }
        return t;
    }

    static Case randomCase(long seed, int docs, int examples) {
        Random rnd = new Random(seed);
        List<CorpusDocument> d = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
            String text = sentence(rnd, 1, 4);
            // some documents repeat an earlier text under another id (the hn_mine trap), some have titles
            if (i > 0 && rnd.nextInt(5) == 0) {
                text = disguise(rnd, d.get(rnd.nextInt(i)).text());
            }
            String title = rnd.nextInt(4) == 0 ? WORDS[rnd.nextInt(WORDS.length)] : "";
            d.add(new CorpusDocument("d" + i, title, text));
        }
        Corpus corpus = Corpus.of(d);
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            List<String> pos = new ArrayList<>();
            int np = 1 + rnd.nextInt(3);
            for (int j = 0; j < np; j++) {
                int choice = rnd.nextInt(4);
                CorpusDocument doc = d.get(rnd.nextInt(docs));
                pos.add(switch (choice) {
                    case 0 -> doc.fullText();
                    case 1 -> disguise(rnd, doc.fullText());
                    case 2 -> doc.text();
                    default -> sentence(rnd, 1, 3); // may or may not be in the corpus
                });
            }
            ex.add(TrainingExample.of(sentence(rnd, 1, 3), pos, List.of("stale negative")));
        }
        return new Case(corpus, ex, seed);
    }

    static Arbitrary<Case> cases() {
        return Arbitraries.longs().flatMap(seed -> Arbitraries.integers().between(1, 60)
                .flatMap(docs -> Arbitraries.integers().between(0, 8).map(n -> randomCase(seed, docs, n))));
    }
}
