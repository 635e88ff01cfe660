package io.bge4j.data.sampling;

import java.util.Arrays;
import java.util.Set;

/**
 * The positives of one example as a sampler must avoid them: their corpus positions (found by
 * normalised text) and their normalised texts (which also catch positives missing from the corpus).
 *
 * <p>Usage: {@code if (exclusion.excludes(p, index.normalizedText(p))) continue;}
 *
 * @param positions ascending corpus positions of the positives
 * @param normalizedTexts the positives' normalised texts
 * @param unmatchedPositives how many distinct positives matched no corpus document
 */
public record PositiveExclusion(int[] positions, Set<String> normalizedTexts, int unmatchedPositives) {

    /** Copies the set. */
    public PositiveExclusion {
        normalizedTexts = Set.copyOf(normalizedTexts);
    }

    /**
     * @param position a corpus position
     * @param normalizedText that document's normalised text
     * @return whether that document is (or reads the same as) a positive
     */
    public boolean excludes(int position, String normalizedText) {
        return Arrays.binarySearch(positions, position) >= 0 || normalizedTexts.contains(normalizedText);
    }
}
