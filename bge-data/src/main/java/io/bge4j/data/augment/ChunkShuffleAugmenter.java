package io.bge4j.data.augment;

import io.bge4j.data.Seeds;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes the model robust to passage order, in the spirit of FlagEmbedding's {@code shuffle_ratio}:
 * each positive longer than {@link Builder#minChars(int)} is, with probability
 * {@link Builder#shuffleRatio(double)}, cut into {@link Builder#chunks(int)} pieces of (nearly)
 * equal length, which are put in a new seeded order (never the original one) and joined with a
 * space. An example with at least one shuffled positive yields one new example (positives
 * shuffled, everything else kept) tagged with {@link AugmentTags} tag {@code chunk-shuffle};
 * teacher scores are kept, the text being a reordering of the same passage.
 *
 * <p>Usage: {@code TrainingSet extra = ChunkShuffleAugmenter.builder().shuffleRatio(0.3).seed(1).build().augment(real);}
 */
public final class ChunkShuffleAugmenter {
    /** The tag of produced examples. */
    public static final String TAG = "chunk-shuffle";

    private final double ratio;
    private final int minChars;
    private final int chunks;
    private final long seed;

    private ChunkShuffleAugmenter(Builder b) {
        this.ratio = b.ratio;
        this.minChars = b.minChars;
        this.chunks = b.chunks;
        this.seed = b.seed;
    }

    /** @return a builder: ratio 0.1, positives over 100 characters, 3 chunks */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param text a passage
     * @param pieces how many chunks
     * @param rnd the random source
     * @return the chunks in a new order (different from the original), joined by spaces
     */
    static String shuffle(String text, int pieces, SplittableRandom rnd) {
        int[] cps = text.codePoints().toArray();
        int size = (cps.length + pieces - 1) / pieces;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < cps.length; i += size) {
            parts.add(new String(cps, i, Math.min(size, cps.length - i)).strip());
        }
        int[] order = new int[parts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean identity = true;
        for (int i = 0; i < order.length; i++) {
            identity &= order[i] == i;
        }
        if (identity && order.length > 1) {
            int t = order[0];
            order[0] = order[1];
            order[1] = t;
        }
        StringBuilder sb = new StringBuilder(text.length() + pieces);
        for (int i : order) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(parts.get(i));
        }
        return sb.toString();
    }

    /**
     * @param input the examples
     * @return only the new examples, named {@code <input name>+chunk-shuffle}
     */
    public TrainingSet augment(TrainingSet input) {
        List<TrainingExample> out = new ArrayList<>();
        for (int idx = 0; idx < input.size(); idx++) {
            TrainingExample e = input.get(idx);
            SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, idx));
            List<String> pos = new ArrayList<>(e.positives().size());
            boolean changed = false;
            for (String p : e.positives()) {
                if (p.codePointCount(0, p.length()) > minChars && rnd.nextDouble() < ratio) {
                    pos.add(shuffle(p, chunks, rnd));
                    changed = true;
                } else {
                    pos.add(p);
                }
            }
            if (changed) {
                out.add(AugmentTags.tagged(e, TAG).positives(pos).build());
            }
        }
        return TrainingSet.of(input.name() + "+" + TAG, out);
    }

    /**
     * Options of a {@link ChunkShuffleAugmenter}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code ChunkShuffleAugmenter.builder().shuffleRatio(0.5).chunks(4).build()}
     */
    public static final class Builder {
        private double ratio = 0.1;
        private int minChars = 100;
        private int chunks = 3;
        private long seed = 42;

        private Builder() {
        }

        /**
         * @param ratio chance that a long positive is shuffled, in (0, 1] (default 0.1)
         * @return this builder
         */
        public Builder shuffleRatio(double ratio) {
            this.ratio = ratio;
            return this;
        }

        /**
         * @param minChars only positives longer than this many characters are shuffled (default 100)
         * @return this builder
         */
        public Builder minChars(int minChars) {
            this.minChars = minChars;
            return this;
        }

        /**
         * @param chunks pieces per positive, at least 2 (default 3)
         * @return this builder
         */
        public Builder chunks(int chunks) {
            this.chunks = chunks;
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
        public ChunkShuffleAugmenter build() {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("shuffleRatio must be in (0, 1], was " + ratio);
            }
            if (minChars < 0) {
                throw new IllegalArgumentException("minChars must be >= 0, was " + minChars);
            }
            if (chunks < 2) {
                throw new IllegalArgumentException("chunks must be >= 2, was " + chunks);
            }
            return new ChunkShuffleAugmenter(this);
        }
    }
}
