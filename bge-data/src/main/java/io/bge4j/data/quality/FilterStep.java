package io.bge4j.data.quality;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one filter did: how many examples came in and stayed, how many it flagged, and how many it
 * dropped for each reason.
 *
 * <p>Usage: {@code int tooShort = step.droppedByReason().getOrDefault("query shorter than 2 units", 0);}
 *
 * @param filter the filter's name
 * @param input examples in
 * @param kept examples out
 * @param flagged kept examples that were flagged
 * @param droppedByReason reason → count, in first-seen order; unmodifiable
 */
public record FilterStep(String filter, int input, int kept, int flagged, Map<String, Integer> droppedByReason) {

    /** Checks the counts add up and copies the map. */
    public FilterStep {
        Objects.requireNonNull(filter, "filter");
        droppedByReason = Collections.unmodifiableMap(new LinkedHashMap<>(droppedByReason));
        int dropped = droppedByReason.values().stream().mapToInt(Integer::intValue).sum();
        if (input != kept + dropped) {
            throw new IllegalArgumentException("filter " + filter + ": input " + input + " != kept " + kept
                    + " + dropped " + dropped);
        }
    }

    /** @return examples removed */
    public int dropped() {
        return input - kept;
    }
}
