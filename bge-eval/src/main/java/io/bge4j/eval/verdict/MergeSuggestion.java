package io.bge4j.eval.verdict;

import java.util.Locale;

/**
 * A merge ratio measured by a search over {@code (1 − r)·base + r·tuned} (bge-train's {@code MergeRatioSearch}):
 * the ratio that kept most of the target gain within the allowed general-domain drop.
 *
 * <p>Usage: {@code verdict.withMerge(new MergeSuggestion(0.5, 0.92, 0.93, 0.81, 0.80, 0.01))}
 *
 * @param tunedWeight r, the weight of the tuned model
 * @param targetBase the base model's target score
 * @param targetTuned the tuned model's target score
 * @param targetMerged the merge's target score
 * @param generalBase the base model's general-domain score
 * @param generalMerged the merge's general-domain score
 */
public record MergeSuggestion(double tunedWeight, double targetBase, double targetTuned, double targetMerged,
                              double generalBase, double generalMerged) {

    /** Checks the ratio. */
    public MergeSuggestion {
        if (!(tunedWeight >= 0 && tunedWeight <= 1)) {
            throw new IllegalArgumentException("tunedWeight must lie in [0, 1], was " + tunedWeight);
        }
    }

    /** @return the share of the target gain the merge keeps, {@code (merged − base) / (tuned − base)}; NaN without a gain */
    public double gainKept() {
        double gain = targetTuned - targetBase;
        return gain == 0 ? Double.NaN : (targetMerged - targetBase) / gain;
    }

    /**
     * @return the advice line: the merge command at the measured ratio, or, when the search chose the base (r = 0) or
     *     the tuned model (r = 1), which one to keep
     */
    public String line() {
        if (tunedWeight == 0) {
            return String.format(Locale.ROOT, "measured: no merge with the tuned model beat the base on the target"
                    + " within the general-domain bound; keep the base (target %.4f, tuned %.4f; general %.4f)",
                    targetBase, targetTuned, generalBase);
        }
        if (tunedWeight == 1) {
            return String.format(Locale.ROOT, "measured: the tuned model itself is within the general-domain bound:"
                    + " target %.4f, general %.4f (%+.4f vs base); keep the tuned model", targetTuned, generalMerged,
                    generalMerged - generalBase);
        }
        return String.format(Locale.ROOT, "merge with the base at %.2f base / %.2f tuned (measured): target %.4f"
                + " (keeps %.0f%% of the gain), general %.4f (%+.4f vs base); bge4j merge --model <base> --weight %.2f"
                + " --model <tuned> --weight %.2f --output <dir>", 1 - tunedWeight, tunedWeight, targetMerged,
                100 * gainKept(), generalMerged, generalMerged - generalBase, 1 - tunedWeight, tunedWeight);
    }
}
