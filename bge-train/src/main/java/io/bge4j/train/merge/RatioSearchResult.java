package io.bge4j.train.merge;

import io.bge4j.eval.verdict.MergeSuggestion;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of a {@link MergeRatioSearch}: every measured ratio and the one chosen.
 *
 * <p>Usage: {@code double r = result.chosen().tunedWeight(); double kept = result.targetGainKept();}
 *
 * @param points the measured ratios, ascending; the first is the base (r = 0), the last the tuned model (r = 1)
 * @param chosen the point with the highest target score among those whose general-domain drop from the base
 *     is within {@code maxGeneralDrop}
 * @param maxGeneralDrop the bound used (in the general evaluator's primary metric)
 */
public record RatioSearchResult(List<RatioPoint> points, RatioPoint chosen, double maxGeneralDrop) {

    /** Copies the list. */
    public RatioSearchResult {
        points = List.copyOf(points);
        Objects.requireNonNull(chosen, "chosen");
    }

    /** @return the base model's point (r = 0) */
    public RatioPoint base() {
        return points.get(0);
    }

    /** @return the tuned model's point (r = 1) */
    public RatioPoint tuned() {
        return points.get(points.size() - 1);
    }

    /**
     * @return the share of the tuned model's target gain the chosen merge keeps:
     *     {@code (chosen − base) / (tuned − base)}; NaN when tuning did not change the target score
     */
    public double targetGainKept() {
        double b = base().target().primaryValue();
        double gain = tuned().target().primaryValue() - b;
        return gain == 0 ? Double.NaN : (chosen.target().primaryValue() - b) / gain;
    }

    /**
     * @return the chosen ratio as the verdict's merge suggestion (general scores are NaN when no general evaluator
     *     was given)
     */
    public MergeSuggestion toSuggestion() {
        double gb = base().general() == null ? Double.NaN : base().general().primaryValue();
        double gm = chosen.general() == null ? Double.NaN : chosen.general().primaryValue();
        return new MergeSuggestion(chosen.tunedWeight(), base().target().primaryValue(),
                tuned().target().primaryValue(), chosen.target().primaryValue(), gb, gm);
    }

    /** @return one line per ratio: r, target, general, and a mark on the chosen one */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-6s %10s %10s%n", "tuned", "target",
                "general"));
        for (RatioPoint p : points) {
            sb.append(String.format(Locale.ROOT, "%-6.2f %10.4f %10s%s%n", p.tunedWeight(), p.target().primaryValue(),
                    p.general() == null ? "-" : String.format(Locale.ROOT, "%.4f", p.general().primaryValue()),
                    p == chosen ? "   <- chosen" : ""));
        }
        return sb.toString();
    }
}
