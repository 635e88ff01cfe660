package io.bge4j.train.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@link ProgressEstimator#longRunWarning}: what would shorten a run predicted to be long,
 * and roughly by how much (step time taken as proportional to processed tokens: queries plus passages,
 * each padded; passages dominate).
 */
final class LongRunAdvice {

    private LongRunAdvice() {}

    /**
     * @param e a settled estimate of a run longer than the threshold
     * @param totalSteps the run's steps
     * @param settings the run's sizes
     * @return the warning line
     */
    static String warning(ProgressEstimator.Estimate e, long totalSteps, ProgressEstimator.RunSettings settings) {
        double total = e.totalSeconds();
        List<String> tips = new ArrayList<>();
        if (settings.passageMaxLength() > 64) {
            int half = settings.passageMaxLength() / 2;
            tips.add(String.format(Locale.ROOT, "passage length %d -> %d (about %s)", settings.passageMaxLength(), half,
                    ProgressEstimator.Estimate.duration(total * scaleForPassages(settings, settings.groupSize(), half))));
        }
        if (settings.groupSize() > 2) {
            int g = Math.max(2, settings.groupSize() / 2);
            tips.add(String.format(Locale.ROOT, "group size %d -> %d (about %s)", settings.groupSize(), g,
                    ProgressEstimator.Estimate.duration(total * scaleForPassages(settings, g,
                            settings.passageMaxLength()))));
        }
        if (settings.epochs() > 1) {
            tips.add(String.format(Locale.ROOT, "epochs %d -> 1 (about %s)", settings.epochs(),
                    ProgressEstimator.Estimate.duration(total / settings.epochs())));
        }
        if (e.paddingEfficiency() < 0.6) {
            tips.add(String.format(Locale.ROOT, "only %.0f%% of processed tokens are real: length-bucketed batches"
                    + " or length-aware chunks pad less", 100 * e.paddingEfficiency()));
        }
        return String.format(Locale.ROOT, "at the measured %.1f s per step this run takes about %s"
                        + " (%d steps%s); to shorten it: %s", e.secondsPerStep(), ProgressEstimator.Estimate.duration(total),
                totalSteps, e.secondsPerEvaluation() > 0 ? String.format(Locale.ROOT,
                        ", evaluations %.0f s each", e.secondsPerEvaluation()) : "",
                tips.isEmpty() ? "fewer steps (maxSteps)" : String.join("; ", tips));
    }

    /** Fraction of the step time left when passages become {@code group} per query of {@code length} tokens. */
    private static double scaleForPassages(ProgressEstimator.RunSettings s, int group, int length) {
        if (s.passageMaxLength() <= 0) { // lengths unknown: passages dominate, count them
            return group / (double) s.groupSize();
        }
        double before = (double) s.queryMaxLength() + (double) s.groupSize() * s.passageMaxLength();
        double after = (double) s.queryMaxLength() + (double) group * length;
        return after / before;
    }
}
