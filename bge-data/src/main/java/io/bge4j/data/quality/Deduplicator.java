package io.bge4j.data.quality;

import io.bge4j.data.Seeds;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes exact and near duplicates, keeping the first occurrence. Texts are first compared after
 * {@link TextNormalizer} (exact duplicates); the rest are compared by the Jaccard similarity of their
 * character shingles (default 5 characters of the normalised text), found through MinHash
 * signatures with banded locality-sensitive hashing and confirmed on the shingle sets, so the
 * threshold is exact, not estimated. Works on queries, on first positives, or on any list of
 * passages ({@link #duplicateOf(List)}).
 *
 * <p>Usage:
 * <pre>{@code
 * Deduplicator dedup = Deduplicator.builder().field(Deduplicator.Field.QUERY).threshold(0.8).build();
 * TrainingSet unique = dedup.apply(set).kept();
 * int[] dupOf = Deduplicator.builder().build().duplicateOf(corpusTexts);   // -1 = keep
 * }</pre>
 */
public final class Deduplicator implements ExampleFilter {

    /**
     * Which text of an example is compared.
     *
     * <p>Usage: {@code Deduplicator.builder().field(Deduplicator.Field.POSITIVE).build()}
     */
    public enum Field {
        /** The query. */
        QUERY,
        /** The first positive. */
        POSITIVE,
        /** Query and first positive together (the pair is the unit). */
        QUERY_AND_POSITIVE
    }

    private final Field field;
    private final double threshold;
    private final int shingle;
    private final int bands;
    private final int rows;
    private final long seed;
    private final boolean near;

    private Deduplicator(Builder b) {
        this.field = b.field;
        this.threshold = b.threshold;
        this.shingle = b.shingle;
        this.bands = b.bands;
        this.rows = b.rows;
        this.seed = b.seed;
        this.near = b.near;
    }

    /** @return a builder: queries, Jaccard 0.8, 5-character shingles, 32 bands × 4 rows */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "dedup-" + field.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public FilterResult apply(TrainingSet input) {
        List<String> texts = new ArrayList<>(input.size());
        for (TrainingExample e : input) {
            texts.add(switch (field) {
                case QUERY -> e.query();
                case POSITIVE -> e.positives().get(0);
                case QUERY_AND_POSITIVE -> e.query() + "\n" + e.positives().get(0);
            });
        }
        int[] dup = duplicateOf(texts);
        boolean[] exact = new boolean[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            exact[i] = dup[i] >= 0
                    && TextNormalizer.normalize(texts.get(i)).equals(TextNormalizer.normalize(texts.get(dup[i])));
        }
        String what = field.name().toLowerCase(java.util.Locale.ROOT).replace('_', '+');
        int[] counter = {0};
        return ExampleFilter.applyVerdicts(name(), input, e -> {
            int i = counter[0]++;
            if (dup[i] < 0) {
                return Verdict.keep();
            }
            return Verdict.drop((exact[i] ? "exact duplicate " : "near duplicate ") + what);
        });
    }

    /**
     * @param texts texts, in priority order (earlier ones are kept)
     * @return for each text, the index of the earlier kept text it duplicates, or -1 to keep it
     */
    public int[] duplicateOf(List<String> texts) {
        int[] out = new int[texts.size()];
        Arrays.fill(out, -1);
        Map<String, Integer> exact = new HashMap<>();
        List<Map<Long, List<Integer>>> buckets = new ArrayList<>(bands);
        for (int b = 0; b < bands; b++) {
            buckets.add(new HashMap<>());
        }
        Map<Integer, long[]> shingleSets = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            String norm = TextNormalizer.normalize(texts.get(i));
            Integer first = exact.putIfAbsent(norm, i);
            if (first != null) {
                out[i] = first;
                continue;
            }
            if (!near) {
                continue;
            }
            long[] shingles = shingles(norm);
            long[] sig = signature(shingles);
            int match = -1;
            long[] keys = new long[bands];
            for (int b = 0; b < bands; b++) {
                long h = 0x9E3779B97F4A7C15L * (b + 1);
                for (int r = 0; r < rows; r++) {
                    h = mix(h ^ sig[b * rows + r]);
                }
                keys[b] = h;
                if (match >= 0) {
                    continue;
                }
                List<Integer> cands = buckets.get(b).get(h);
                if (cands != null) {
                    for (int c : cands) {
                        if (jaccard(shingles, shingleSets.get(c)) >= threshold) {
                            match = c;
                            break;
                        }
                    }
                }
            }
            if (match >= 0) {
                out[i] = match;
                exact.put(norm, match); // later exact copies point at the kept text
                continue;
            }
            shingleSets.put(i, shingles);
            for (int b = 0; b < bands; b++) {
                buckets.get(b).computeIfAbsent(keys[b], k -> new ArrayList<>()).add(i);
            }
        }
        return out;
    }

    /**
     * @param a a text
     * @param b another text
     * @return the Jaccard similarity of their normalised character shingles
     */
    public double similarity(String a, String b) {
        return jaccard(shingles(TextNormalizer.normalize(a)), shingles(TextNormalizer.normalize(b)));
    }

    private long[] shingles(String norm) {
        int[] cps = norm.codePoints().toArray();
        int n = Math.max(1, cps.length - shingle + 1);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int end = Math.min(cps.length, i + shingle);
            byte[] bytes = new String(cps, i, end - i).getBytes(StandardCharsets.UTF_8);
            long h = 0xcbf29ce484222325L;
            for (byte x : bytes) {
                h = (h ^ (x & 0xff)) * 0x100000001b3L;
            }
            out[i] = mix(h);
        }
        Arrays.sort(out);
        int u = 0;
        for (int i = 0; i < out.length; i++) {
            if (i == 0 || out[i] != out[i - 1]) {
                out[u++] = out[i];
            }
        }
        return Arrays.copyOf(out, u);
    }

    private long[] signature(long[] shingles) {
        long[] sig = new long[bands * rows];
        for (int h = 0; h < sig.length; h++) {
            long salt = Seeds.derive(seed, h);
            long min = Long.MAX_VALUE;
            for (long s : shingles) {
                long v = mix(s ^ salt);
                if (Long.compareUnsigned(v, min) < 0) {
                    min = v;
                }
            }
            sig[h] = min;
        }
        return sig;
    }

    private static double jaccard(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        int inter = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                inter++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        int union = a.length + b.length - inter;
        return union == 0 ? 1.0 : (double) inter / union;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Options of a {@link Deduplicator}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code Deduplicator.builder().field(Deduplicator.Field.POSITIVE).threshold(0.9).build()}
     */
    public static final class Builder {
        private Field field = Field.QUERY;
        private double threshold = 0.8;
        private int shingle = 5;
        private int bands = 32;
        private int rows = 4;
        private long seed = 42;
        private boolean near = true;

        private Builder() {
        }

        /**
         * @param field which text is compared (default QUERY)
         * @return this builder
         */
        public Builder field(Field field) {
            this.field = field;
            return this;
        }

        /**
         * @param threshold shingle Jaccard at or above which two texts are near duplicates, in (0, 1] (default 0.8)
         * @return this builder
         */
        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /**
         * @param characters shingle length in characters (default 5)
         * @return this builder
         */
        public Builder shingleSize(int characters) {
            this.shingle = characters;
            return this;
        }

        /**
         * More bands or fewer rows find more candidate pairs (slower, fewer misses near the threshold).
         *
         * @param bands LSH bands (default 32)
         * @param rows MinHash values per band (default 4)
         * @return this builder
         */
        public Builder lsh(int bands, int rows) {
            this.bands = bands;
            this.rows = rows;
            return this;
        }

        /**
         * @param seed the MinHash seed (default 42)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param near also remove near duplicates (default true; false = exact only)
         * @return this builder
         */
        public Builder nearDuplicates(boolean near) {
            this.near = near;
            return this;
        }

        /**
         * @return the deduplicator
         * @throws IllegalArgumentException naming the bad option
         */
        public Deduplicator build() {
            if (field == null) {
                throw new IllegalArgumentException("field must not be null");
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
            }
            if (shingle < 1) {
                throw new IllegalArgumentException("shingleSize must be >= 1, was " + shingle);
            }
            if (bands < 1 || rows < 1) {
                throw new IllegalArgumentException("lsh bands and rows must be >= 1, were " + bands + " and " + rows);
            }
            return new Deduplicator(this);
        }
    }
}
