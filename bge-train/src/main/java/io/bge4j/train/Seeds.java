package io.bge4j.train;

/** Seed derivation: every random choice of a run is a function of (seed, purpose, index). */
final class Seeds {

    private Seeds() {}

    /** SplitMix64-style mixing of a seed with two values. */
    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The engine seed set before the forward pass of one chunk (dropout masks). */
    static int dropout(long seed, long micro, int part, int chunk) {
        return (int) (mix(seed, 0xD209 + part, micro * 100_003L + chunk) & 0x7fffffff);
    }
}
