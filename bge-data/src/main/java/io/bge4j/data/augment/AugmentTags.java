package io.bge4j.data.augment;

import io.bge4j.data.TrainingExample;

/**
 * How augmenters mark what they produced: the example's source becomes
 * {@code <original source>+<tag>} (e.g. {@code msmarco+synonym}), so the mixer's report counts
 * augmented examples apart from the originals, and its type becomes the tag when it had none.
 *
 * <p>Usage: {@code boolean augmented = AugmentTags.isAugmented(example, "synonym");}
 */
public final class AugmentTags {

    private AugmentTags() {
    }

    /**
     * @param original the example augmented
     * @param tag the augmenter's tag
     * @return the source name an augmented copy gets
     */
    public static String source(TrainingExample original, String tag) {
        return (original.source() == null ? "unknown" : original.source()) + "+" + tag;
    }

    /**
     * @param original the example augmented
     * @param tag the augmenter's tag
     * @return a builder holding the original's values with the tagged source (and type, when it had none)
     */
    public static TrainingExample.Builder tagged(TrainingExample original, String tag) {
        return original.toBuilder().source(source(original, tag)).type(original.type() == null ? tag : original.type());
    }

    /**
     * @param example an example
     * @param tag an augmenter's tag
     * @return whether its source ends with {@code +tag}
     */
    public static boolean isAugmented(TrainingExample example, String tag) {
        return example.source() != null && example.source().endsWith("+" + tag);
    }
}
