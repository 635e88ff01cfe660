package io.bge4j.data.synthetic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.data.quality.FilterReport;
import io.bge4j.data.quality.FilterStep;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What went into a mixed training set: per source how many examples were available and how many
 * were taken, real vs synthetic totals, and the reports of the filters that ran before mixing.
 * Serialisable to JSON (for the training history; {@link #fromJson} reads it back), Markdown and
 * HTML (for reports). A set made by {@link Mixer} carries its report ({@link io.bge4j.data.TrainingSet#mix()}),
 * so the trainer records it with the run.
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

    /**
     * Reads what {@link #toJson()} wrote (other keys, such as the derived {@code total} and
     * {@code synthetic_share}, are ignored).
     *
     * @param json a JSON object with {@code real}, {@code synthetic}, {@code sources} and {@code filters}
     * @return the report
     * @throws IllegalArgumentException naming the field that is missing or of the wrong type
     */
    public static MixReport fromJson(String json) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("mix report: not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("mix report: expected a JSON object");
        }
        Map<String, SourceCount> sources = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object(n, "sources", "sources").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "sources." + e.getKey();
            JsonNode v = e.getValue();
            if (!v.path("synthetic").isBoolean()) {
                throw new IllegalArgumentException("mix report: field '" + at + ".synthetic': expected true or false");
            }
            sources.put(e.getKey(), new SourceCount(integer(v, "available", at), integer(v, "selected", at),
                    v.get("synthetic").asBoolean()));
        }
        Map<String, FilterReport> filters = new LinkedHashMap<>();
        JsonNode fil = n.get("filters");
        if (fil != null && !fil.isNull()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object(n, "filters", "filters").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "filters." + e.getKey();
                if (!e.getValue().isArray()) {
                    throw new IllegalArgumentException("mix report: field '" + at + "': expected an array of steps");
                }
                List<FilterStep> steps = new ArrayList<>();
                int i = 0;
                for (JsonNode st : e.getValue()) {
                    String sat = at + "[" + i++ + "]";
                    if (!st.path("filter").isTextual()) {
                        throw new IllegalArgumentException("mix report: field '" + sat + ".filter': expected a name");
                    }
                    Map<String, Integer> reasons = new LinkedHashMap<>();
                    JsonNode r = st.get("dropped_by_reason");
                    if (r != null && !r.isNull()) {
                        for (Iterator<Map.Entry<String, JsonNode>> ri = object(st, "dropped_by_reason", sat + ".dropped_by_reason")
                                .fields(); ri.hasNext();) {
                            Map.Entry<String, JsonNode> re = ri.next();
                            if (!re.getValue().isIntegralNumber()) {
                                throw new IllegalArgumentException("mix report: field '" + sat + ".dropped_by_reason."
                                        + re.getKey() + "': expected an integer");
                            }
                            reasons.put(re.getKey(), re.getValue().asInt());
                        }
                    }
                    try {
                        steps.add(new FilterStep(st.get("filter").asText(), integer(st, "input", sat),
                                integer(st, "kept", sat), integer(st, "flagged", sat), reasons));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException("mix report: field '" + sat + "': " + bad.getMessage(), bad);
                    }
                }
                filters.put(e.getKey(), new FilterReport(steps));
            }
        }
        return new MixReport(sources, integer(n, "real", null), integer(n, "synthetic", null), filters);
    }

    private static JsonNode object(JsonNode parent, String key, String at) {
        JsonNode v = parent.get(key);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("mix report: field '" + at + "': expected an object");
        }
        return v;
    }

    private static int integer(JsonNode parent, String key, String at) {
        JsonNode v = parent.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException("mix report: field '" + (at == null ? key : at + "." + key)
                    + "': expected an integer >= 0, got " + v);
        }
        return v.asInt();
    }

    /**
     * @return the report as an HTML fragment (no styles of its own): a summary paragraph, the source table,
     *     then one table per filter stage; every name is escaped
     */
    public String toHtml() {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("<p>").append(total()).append(" examples: ").append(real).append(" real, ").append(synthetic)
                .append(" synthetic (").append(String.format(Locale.ROOT, "%.1f", 100 * syntheticShare()))
                .append(" % synthetic).</p>\n")
                .append("<table><thead><tr><th>source</th><th>kind</th><th>available</th><th>selected</th></tr></thead>"
                        + "<tbody>\n");
        sources.forEach((name, s) -> sb.append("<tr><td>").append(esc(name)).append("</td><td>")
                .append(s.synthetic() ? "synthetic" : "real").append("</td><td>").append(s.available())
                .append("</td><td>").append(s.selected()).append("</td></tr>\n"));
        sb.append("</tbody></table>\n");
        filters.forEach((label, rep) -> {
            sb.append("<h3>Filters: ").append(esc(label)).append("</h3>\n<table><thead><tr><th>filter</th><th>in</th>"
                    + "<th>kept</th><th>flagged</th><th>dropped</th><th>dropped by reason</th></tr></thead><tbody>\n");
            for (FilterStep s : rep.steps()) {
                StringBuilder reasons = new StringBuilder();
                s.droppedByReason().forEach((k, v) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(k)
                        .append(": ").append(v));
                sb.append("<tr><td>").append(esc(s.filter())).append("</td><td>").append(s.input()).append("</td><td>")
                        .append(s.kept()).append("</td><td>").append(s.flagged()).append("</td><td>").append(s.dropped())
                        .append("</td><td class=\"text\">").append(esc(reasons.toString())).append("</td></tr>\n");
            }
            sb.append("</tbody></table>\n");
        });
        return sb.toString();
    }

    private static String esc(String s) {
        return io.bge4j.core.HtmlEscaper.escape(s);
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
