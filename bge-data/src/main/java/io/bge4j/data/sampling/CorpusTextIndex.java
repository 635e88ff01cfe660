package io.bge4j.data.sampling;

import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Maps normalised text to corpus positions, so that a training example's positives (which
 * FlagEmbedding JSONL gives as texts, not ids) can be found in the corpus and excluded from its
 * negatives. A document is indexed under both its {@link CorpusDocument#fullText()} and its body
 * {@link CorpusDocument#text()}, so a positive written with or without the title matches.
 * Immutable and thread-safe once built.
 *
 * <p>Usage:
 * <pre>{@code
 * CorpusTextIndex index = CorpusTextIndex.of(corpus);
 * PositiveExclusion ex = index.exclusionFor(example);
 * boolean ok = !ex.excludes(position, index.normalizedText(position));
 * }</pre>
 */
public final class CorpusTextIndex {
    private static final int[] NONE = new int[0];

    private final Corpus corpus;
    private final String[] normalizedFull;
    private final Map<String, int[]> positionsByText;

    private CorpusTextIndex(Corpus corpus) {
        this.corpus = corpus;
        int n = corpus.size();
        this.normalizedFull = new String[n];
        this.positionsByText = new HashMap<>(n * 3);
        for (int i = 0; i < n; i++) {
            CorpusDocument d = corpus.get(i);
            String full = TextNormalizer.normalize(d.fullText());
            normalizedFull[i] = full;
            add(full, i);
            if (!d.title().isEmpty()) {
                String body = TextNormalizer.normalize(d.text());
                if (!body.equals(full)) {
                    add(body, i);
                }
            }
        }
    }

    private void add(String key, int position) {
        int[] existing = positionsByText.get(key);
        if (existing == null) {
            positionsByText.put(key, new int[] {position});
        } else if (existing[existing.length - 1] != position) {
            int[] grown = Arrays.copyOf(existing, existing.length + 1);
            grown[existing.length] = position;
            positionsByText.put(key, grown);
        }
    }

    /**
     * @param corpus the corpus
     * @return its index
     */
    public static CorpusTextIndex of(Corpus corpus) {
        return new CorpusTextIndex(Objects.requireNonNull(corpus, "corpus"));
    }

    /** @return the indexed corpus */
    public Corpus corpus() {
        return corpus;
    }

    /**
     * @param position 0-based corpus position
     * @return the normalised full text of that document
     */
    public String normalizedText(int position) {
        return normalizedFull[position];
    }

    /**
     * @param text any text
     * @return the positions of documents whose normalised full text or body equals its normalised
     *     form, ascending; empty when none
     */
    public int[] positionsOf(String text) {
        return positionsByText.getOrDefault(TextNormalizer.normalize(text), NONE).clone();
    }

    /**
     * @param example a training example
     * @return the corpus positions and normalised texts of its positives
     */
    public PositiveExclusion exclusionFor(TrainingExample example) {
        Set<String> norms = new HashSet<>();
        Set<Integer> positions = new HashSet<>();
        int unmatched = 0;
        for (String p : example.positives()) {
            String norm = TextNormalizer.normalize(p);
            if (!norms.add(norm)) {
                continue;
            }
            int[] hits = positionsByText.get(norm);
            if (hits == null) {
                unmatched++;
            } else {
                for (int h : hits) {
                    positions.add(h);
                }
            }
        }
        int[] sorted = positions.stream().mapToInt(Integer::intValue).sorted().toArray();
        return new PositiveExclusion(sorted, norms, unmatched);
    }
}
