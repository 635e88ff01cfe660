package io.bge4j.data.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a filter chain, in order, with totals; printable as a Markdown table.
 *
 * <p>Usage: {@code log.info("\n{}", result.report().toMarkdown());}
 *
 * @param steps one entry per filter applied, in order
 */
public record FilterReport(List<FilterStep> steps) {

    /** Copies the list. */
    public FilterReport {
        steps = List.copyOf(steps);
    }

    /**
     * @param step a single step
     * @return a report of one step
     */
    public static FilterReport of(FilterStep step) {
        return new FilterReport(List.of(step));
    }

    /**
     * @param next steps that ran after these
     * @return both reports' steps in order
     */
    public FilterReport then(FilterReport next) {
        List<FilterStep> all = new ArrayList<>(steps);
        all.addAll(next.steps);
        return new FilterReport(all);
    }

    /** @return examples into the first step (0 when there are no steps) */
    public int input() {
        return steps.isEmpty() ? 0 : steps.get(0).input();
    }

    /** @return examples out of the last step (0 when there are no steps) */
    public int kept() {
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).kept();
    }

    /** @return examples removed by all steps together */
    public int dropped() {
        return steps.stream().mapToInt(FilterStep::dropped).sum();
    }

    /** @return a Markdown table: filter, in, kept, flagged, dropped (reasons) */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| filter | in | kept | flagged | dropped | reasons |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (FilterStep s : steps) {
            StringBuilder reasons = new StringBuilder();
            s.droppedByReason().forEach((r, n) -> {
                if (reasons.length() > 0) {
                    reasons.append("; ");
                }
                reasons.append(r).append(": ").append(n);
            });
            sb.append("| ").append(s.filter()).append(" | ").append(s.input()).append(" | ").append(s.kept())
                    .append(" | ").append(s.flagged()).append(" | ").append(s.dropped()).append(" | ")
                    .append(reasons).append(" |\n");
        }
        return sb.toString();
    }
}
