package io.bge4j.data;

/**
 * Derives independent, reproducible seeds from one user seed, so that every random choice in
 * bge-data (which negatives, which batch order, which dev examples) follows from a single number
 * and does not depend on the order in which work items happen to be processed.
 *
 * <p>Usage: {@code new SplittableRandom(Seeds.derive(seed, exampleIndex))}
 */
public final class Seeds {

    private Seeds() {
    }

    /**
     * Mixes a seed with a salt (an example index, an epoch, a step) through the SplitMix64
     * finaliser, so that neighbouring salts give unrelated streams.
     *
     * @param seed the user seed
     * @param salt what distinguishes this stream
     * @return a derived seed
     */
    public static long derive(long seed, long salt) {
        long z = seed + 0x9E3779B97F4A7C15L * (salt + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
