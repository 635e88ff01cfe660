package io.bge4j.data.augment;

import io.bge4j.core.DataFormatException;
import io.bge4j.core.Bge4jException;
import io.bge4j.data.Seeds;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.TextUnits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Rewrites queries by swapping dictionary terms for alternatives (synonyms, domain jargon,
 * abbreviations). The dictionary is a TSV: a term, then one or more alternatives, tab-separated;
 * {@code #} starts a comment line. Matching is case-insensitive and prefers the longest term at each
 * position. A term written in a spaced script only matches whole words (no letter or digit of such a
 * script right before or after it); a term containing Han/kana/Hangul characters matches anywhere,
 * since those scripts have no spaces. Each matched occurrence is replaced with probability
 * {@link Builder#replaceProbability(double)} by a seeded choice among its alternatives.
 *
 * <p>Produces up to {@link Builder#variantsPerExample(int)} new, distinct queries per example (none
 * when no term matches); each new example is the original with the new query, tagged with
 * {@link AugmentTags} tag {@code synonym}. The same seed gives the same output.
 *
 * <p>Usage:
 * <pre>{@code
 * SynonymAugmenter syn = SynonymAugmenter.builder().dictionary(Path.of("synonyms.tsv"))
 *     .variantsPerExample(2).seed(7).build();
 * TrainingSet extra = syn.augment(real);
 * }</pre>
 */
public final class SynonymAugmenter {
    /** The tag of produced examples. */
    public static final String TAG = "synonym";

    private final Map<String, List<String>> dictionary;
    private final List<String> termsByLength;
    private final int variants;
    private final double probability;
    private final long seed;

    private SynonymAugmenter(Builder b) {
        Map<String, List<String>> d = new LinkedHashMap<>();
        b.dictionary.forEach((k, v) -> d.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        this.dictionary = Collections.unmodifiableMap(d);
        List<String> terms = new ArrayList<>(d.keySet());
        terms.sort((x, y) -> y.length() != x.length() ? Integer.compare(y.length(), x.length()) : x.compareTo(y));
        this.termsByLength = terms;
        this.variants = b.variants;
        this.probability = b.probability;
        this.seed = b.seed;
    }

    /** @return a builder; a dictionary is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a TSV dictionary.
     *
     * @param file the TSV file (UTF-8)
     * @return term → alternatives, in file order (a term on several lines collects all alternatives)
     * @throws DataFormatException on a line with a term but no alternative
     */
    public static Map<String, List<String>> readDictionary(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Bge4jException("cannot read synonym dictionary " + file + ": " + e.getMessage(), e);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t");
            List<String> alts = new ArrayList<>();
            for (int c = 1; c < cols.length; c++) {
                if (!cols[c].isBlank()) {
                    alts.add(cols[c].strip());
                }
            }
            if (cols[0].isBlank() || alts.isEmpty()) {
                throw new DataFormatException(file, i + 1, null, "expected 'term<TAB>alternative[<TAB>alternative...]'"
                        + " but found '" + line + "'; separate columns with tab characters");
            }
            out.computeIfAbsent(cols[0].strip(), k -> new ArrayList<>()).addAll(alts);
        }
        return out;
    }

    /**
     * @param query a query
     * @param rnd the random source
     * @return the query with terms replaced (maybe unchanged)
     */
    String rewrite(String query, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(query.length() + 16);
        int i = 0;
        while (i < query.length()) {
            String hit = null;
            for (String term : termsByLength) {
                if (query.regionMatches(true, i, term, 0, term.length()) && boundariesOk(query, i, term)) {
                    hit = term;
                    break;
                }
            }
            if (hit == null) {
                sb.append(query.charAt(i));
                i++;
                continue;
            }
            List<String> alts = dictionary.get(hit);
            if (rnd.nextDouble() < probability) {
                sb.append(alts.get(rnd.nextInt(alts.size())));
            } else {
                sb.append(query, i, i + hit.length());
            }
            i += hit.length();
        }
        return sb.toString();
    }

    private static boolean boundariesOk(String text, int start, String term) {
        int end = start + term.length();
        int firstTerm = term.codePointAt(0);
        int lastTerm = term.codePointBefore(term.length());
        if (TextUnits.isWordChar(firstTerm) && start > 0 && TextUnits.isWordChar(text.codePointBefore(start))) {
            return false;
        }
        return !(TextUnits.isWordChar(lastTerm) && end < text.length()
                && TextUnits.isWordChar(text.codePointAt(end)));
    }

    /**
     * @param input the examples (typically real ones)
     * @return only the new examples, named {@code <input name>+synonym}
     */
    public TrainingSet augment(TrainingSet input) {
        List<TrainingExample> out = new ArrayList<>();
        for (int idx = 0; idx < input.size(); idx++) {
            TrainingExample e = input.get(idx);
            SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, idx));
            Set<String> seen = new LinkedHashSet<>();
            seen.add(TextNormalizer.normalize(e.query()));
            List<String> made = new ArrayList<>();
            for (int attempt = 0; attempt < variants * 3 && made.size() < variants; attempt++) {
                String q = rewrite(e.query(), rnd);
                if (seen.add(TextNormalizer.normalize(q))) {
                    made.add(q);
                }
            }
            for (String q : made) {
                out.add(AugmentTags.tagged(e, TAG).query(q).build());
            }
        }
        return TrainingSet.of(input.name() + "+" + TAG, out);
    }

    /**
     * Options of a {@link SynonymAugmenter}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code SynonymAugmenter.builder().dictionary(Map.of("laptop", List.of("notebook"))).build()}
     */
    public static final class Builder {
        private Map<String, List<String>> dictionary;
        private int variants = 1;
        private double probability = 1.0;
        private long seed = 42;

        private Builder() {
        }

        /**
         * @param dictionary term → alternatives
         * @return this builder
         */
        public Builder dictionary(Map<String, List<String>> dictionary) {
            this.dictionary = dictionary;
            return this;
        }

        /**
         * @param tsv a TSV dictionary file (see {@link #readDictionary(Path)})
         * @return this builder
         */
        public Builder dictionary(Path tsv) {
            this.dictionary = readDictionary(tsv);
            return this;
        }

        /**
         * @param n new queries wanted per example (default 1)
         * @return this builder
         */
        public Builder variantsPerExample(int n) {
            this.variants = n;
            return this;
        }

        /**
         * @param p chance that a matched occurrence is replaced, in (0, 1] (default 1)
         * @return this builder
         */
        public Builder replaceProbability(double p) {
            this.probability = p;
            return this;
        }

        /**
         * @param seed the seed (default 42)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the augmenter
         * @throws IllegalArgumentException naming the bad option
         */
        public SynonymAugmenter build() {
            if (dictionary == null || dictionary.isEmpty()) {
                throw new IllegalArgumentException("dictionary is required and must not be empty; call dictionary(tsvPath)");
            }
            for (Map.Entry<String, List<String>> en : dictionary.entrySet()) {
                if (en.getKey() == null || en.getKey().isEmpty() || en.getValue() == null || en.getValue().isEmpty()) {
                    throw new IllegalArgumentException("dictionary entry '" + en.getKey()
                            + "' needs a non-empty term and at least one alternative");
                }
            }
            if (variants < 1) {
                throw new IllegalArgumentException("variantsPerExample must be >= 1, was " + variants);
            }
            if (!(probability > 0 && probability <= 1)) {
                throw new IllegalArgumentException("replaceProbability must be in (0, 1], was " + probability);
            }
            return new SynonymAugmenter(this);
        }
    }
}
