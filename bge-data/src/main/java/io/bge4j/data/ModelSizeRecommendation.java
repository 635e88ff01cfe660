package io.bge4j.data;

import java.util.List;

/**
 * Which model size a training set can support, with the reasons, as data (the CLI prints it; a
 * program can act on it). {@link #forExampleCount(long)} is a prior from the example count alone
 * (under ~10k distinct examples base-size, from ~100k bge-large worth trying, base in between) and
 * says so in its last reason, which points to the measurement that replaces it: {@code bge4j advise}
 * (docs/advise.md) fine-tunes on nested fractions of the data and builds a recommendation from the
 * measured learning-curve slope and loss plateau, with those numbers as its reasons.
 *
 * <p>Usage: {@code rec.reasons().forEach(log::info);}
 *
 * @param recommended the size to start with
 * @param alsoWorthTrying a second size worth a comparison run, or null
 * @param reasons why, in plain sentences
 */
public record ModelSizeRecommendation(ModelSize recommended, ModelSize alsoWorthTrying, List<String> reasons) {
    /** Below this many distinct examples a base-size model is preferred. */
    public static final int BASE_BELOW = 10_000;
    /** From this many distinct examples bge-large is worth trying. */
    public static final int LARGE_FROM = 100_000;

    /** The last reason of every example-count recommendation: the count is a prior, the measurement decides. */
    public static final String MEASURE_IT = "this follows from the example count alone, not from a measurement:"
            + " `bge4j advise` (docs/advise.md) fine-tunes on 25/50/100 % of your data and says from the measured"
            + " learning-curve slope and loss plateau whether more data, more epochs or another model size comes"
            + " next; compare sizes on your dev split with `bge4j evaluate --model <a> --model <b>`";

    /** Copies the reasons. */
    public ModelSizeRecommendation {
        reasons = List.copyOf(reasons);
    }

    /**
     * @param distinctExamples examples after removing duplicates
     * @return the recommendation for that many examples
     */
    public static ModelSizeRecommendation forExampleCount(long distinctExamples) {
        if (distinctExamples < BASE_BELOW) {
            return new ModelSizeRecommendation(ModelSize.BASE, null, List.of(
                    distinctExamples + " distinct examples is under ~" + BASE_BELOW + ": prefer a base-size model "
                            + "(e.g. bge-base-en-v1.5); a large model fine-tuned on this little data tends to "
                            + "overfit and lose general retrieval quality",
                    "more data (mined hard negatives do not count as new examples) is the better lever than a bigger model",
                    MEASURE_IT));
        }
        if (distinctExamples < LARGE_FROM) {
            return new ModelSizeRecommendation(ModelSize.BASE, ModelSize.LARGE, List.of(
                    distinctExamples + " distinct examples is between ~" + BASE_BELOW + " and ~" + LARGE_FROM
                            + ": a base-size model is the safe choice",
                    "bge-large is optional: compare it against base on a held-out dev set before adopting it",
                    MEASURE_IT));
        }
        return new ModelSizeRecommendation(ModelSize.LARGE, ModelSize.BASE, List.of(
                distinctExamples + " distinct examples is at least ~" + LARGE_FROM
                        + ": enough data for bge-large to be worth trying",
                "keep a base-size run as the baseline; large costs about 3x the compute per step", MEASURE_IT));
    }
}
