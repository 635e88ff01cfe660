package io.bge4j.data;

import java.util.List;

/**
 * Which model size a training set can support, with the reasons, as data (the CLI prints it; a
 * program can act on it). The rule of thumb: under ~10k distinct examples a base-size model is the
 * better choice (a large one tends to overfit and forget); from ~100k bge-large is worth trying;
 * in between, base is recommended and large is optional.
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

    /** The last reason of every recommendation: the threshold is a prior, the measurement decides. */
    public static final String MEASURE_IT = "this is a rule of thumb from the example count alone, not a measurement:"
            + " fine-tune the candidate sizes on your data and compare them on your dev split with"
            + " `bge4j evaluate --model <a> --model <b>` (it says whether the difference is significant), and check"
            + " general-domain quality with a guard set (docs/verdict.md)";

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
