package io.bge4j.data.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What went into a mixed training set: per source how many examples were available and how many
 * were taken, real vs synthetic totals, and the reports of the filters that ran before mixing.
 * Serialisable to JSON (for the training history) and Markdown (for reports).
 *
 * <p>Usage: {@code Files.writeString(dir.resolve("mix.json"), result.report().toJson());}
 *
 * @param sources source name → counts, in first-seen order; unmodifiable
 * @param real real examples in the mix
 * @param synthetic synthetic examples in the mix
 * @param filters stage label → filter report, in the order given; unmodifiable
 */
public record MixReport(Map<String, SourceCount> sources, int real, int synthetic, Map<String, FilterReport> filters) {

    /** Copies the maps. */
    public MixReport {
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        filters = Collections.unmodifiableMap(new LinkedHashMap<>(filters));
    }

    /**
     * Counts of one source.
     *
     * <p>Usage: {@code int taken = report.sources().get("synthetic").selected();}
     *
     * @param available examples offered
     * @param selected examples taken into the mix
     * @param synthetic whether the source counts as synthetic
     */
    public record SourceCount(int available, int selected, boolean synthetic) {
    }

    /** @return examples in the mix */
    public int total() {
        return real + synthetic;
    }

    /** @return synthetic / total (0 for an empty mix) */
    public double syntheticShare() {
        return total() == 0 ? 0 : (double) synthetic / total();
    }

    /** @return the report as a JSON object */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("total", total()).put("real", real).put("synthetic", synthetic)
                .put("synthetic_share", syntheticShare());
        ObjectNode src = root.putObject("sources");
        sources.forEach((k, v) -> src.putObject(k).put("available", v.available()).put("selected", v.selected())
                .put("synthetic", v.synthetic()));
        ObjectNode fil = root.putObject("filters");
        filters.forEach((label, rep) -> {
            ArrayNode steps = fil.putArray(label);
            for (FilterStep s : rep.steps()) {
                ObjectNode o = steps.addObject().put("filter", s.filter()).put("input", s.input())
                        .put("kept", s.kept()).put("flagged", s.flagged()).put("dropped", s.dropped());
                ObjectNode reasons = o.putObject("dropped_by_reason");
                s.droppedByReason().forEach(reasons::put);
            }
        });
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the report as Markdown: a source table, then one table per filter stage */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| source | kind | available | selected |\n|---|---|---:|---:|\n");
        sources.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v.synthetic() ? "synthetic" : "real")
                .append(" | ").append(v.available()).append(" | ").append(v.selected()).append(" |\n"));
        sb.append("\nTotal ").append(total()).append(" (real ").append(real).append(", synthetic ").append(synthetic)
                .append(String.format(java.util.Locale.ROOT, ", synthetic share %.3f)%n", syntheticShare()));
        filters.forEach((label, rep) -> sb.append("\nFilters: ").append(Objects.requireNonNull(label)).append("\n\n")
                .append(rep.toMarkdown()));
        return sb.toString();
    }
}
