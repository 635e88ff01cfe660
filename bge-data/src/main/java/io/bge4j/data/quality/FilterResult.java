package io.bge4j.data.quality;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an {@link ExampleFilter}: the kept examples (original order, same set name), those
 * among them that were flagged, and the report of what was dropped and why.
 *
 * <p>Usage: {@code TrainingSet clean = filter.apply(set).kept();}
 *
 * @param kept the surviving examples
 * @param flagged kept examples some filter flagged, in order
 * @param report counts per filter and reason
 */
public record FilterResult(TrainingSet kept, List<TrainingExample> flagged, FilterReport report) {

    /** Copies the flagged list. */
    public FilterResult {
        Objects.requireNonNull(kept, "kept");
        flagged = List.copyOf(flagged);
        Objects.requireNonNull(report, "report");
    }
}
