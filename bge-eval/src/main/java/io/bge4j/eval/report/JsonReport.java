package io.bge4j.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryChange;
import io.bge4j.eval.QueryCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON reports with a stable schema. Keys never change meaning within a schema version; numbers are
 * written in full precision; a NaN mean (no evaluated query) is written as {@code null}.
 *
 * <p>Evaluation ({@code "schema": "bge4j.evaluation/1"}):
 * <pre>
 * {"schema": .., "name": "run.trec", "primary": "ndcg@10",
 *  "mean": {"ndcg@1": 0.5, .., "accuracy@100": 1.0},
 *  "per_query": {"q1": {"ndcg@1": 1.0, ..}, ..},
 *  "queries": {"evaluated": 20, "without_relevant": 0, "missing_from_run": 0, "not_in_qrels": 0}}
 * </pre>
 * Comparison ({@code "schema": "bge4j.comparison/1"}): {@code base}, {@code tuned} (names), {@code primary},
 * {@code queries} (count), {@code settings} ({@code bootstrap_samples}, {@code permutations}, {@code seed},
 * {@code confidence}), {@code metrics} (key → {@code base}, {@code tuned}, {@code delta}, {@code ci_low},
 * {@code ci_high}, {@code p_value}, {@code wins}, {@code ties}, {@code losses}), {@code most_improved} and
 * {@code most_degraded} (lists of {@code query_id}, {@code text}, {@code base}, {@code tuned}, {@code delta}).
 *
 * <p>Usage: {@code JsonReport.write(result, Path.of("results.json"));}
 */
public final class JsonReport {
    /** Schema id of evaluation reports. */
    public static final String EVALUATION_SCHEMA = "bge4j.evaluation/1";
    /** Schema id of comparison reports. */
    public static final String COMPARISON_SCHEMA = "bge4j.comparison/1";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /**
     * @param result an evaluation result
     * @return its JSON tree
     */
    public static ObjectNode toTree(EvaluationResult result) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", EVALUATION_SCHEMA);
        root.put("name", result.name());
        root.put("primary", result.primary().key());
        ObjectNode mean = root.putObject("mean");
        result.mean().forEach((m, v) -> putNumber(mean, m.key(), v));
        ObjectNode perQuery = root.putObject("per_query");
        result.perQuery().forEach((q, values) -> {
            ObjectNode node = perQuery.putObject(q);
            values.forEach((m, v) -> putNumber(node, m.key(), v));
        });
        ObjectNode counts = root.putObject("queries");
        counts.put("evaluated", result.counts().evaluated());
        counts.put("without_relevant", result.counts().withoutRelevant());
        counts.put("missing_from_run", result.counts().missingFromRun());
        counts.put("not_in_qrels", result.counts().notInQrels());
        return root;
    }

    /**
     * @param result an evaluation result
     * @return pretty-printed JSON
     */
    public static String toJson(EvaluationResult result) {
        return write(toTree(result));
    }

    /**
     * @param comparison a comparison
     * @return its JSON tree
     */
    public static ObjectNode toTree(Comparison comparison) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", COMPARISON_SCHEMA);
        root.put("base", comparison.baseName());
        root.put("tuned", comparison.tunedName());
        root.put("primary", comparison.primary().key());
        root.put("queries", comparison.queryIds().size());
        ObjectNode settings = root.putObject("settings");
        settings.put("bootstrap_samples", comparison.bootstrapSamples());
        settings.put("permutations", comparison.permutations());
        settings.put("seed", comparison.seed());
        settings.put("confidence", comparison.confidence());
        ObjectNode metrics = root.putObject("metrics");
        for (MetricComparison mc : comparison.metrics()) {
            ObjectNode n = metrics.putObject(mc.metric().key());
            putNumber(n, "base", mc.base());
            putNumber(n, "tuned", mc.tuned());
            putNumber(n, "delta", mc.delta());
            putNumber(n, "ci_low", mc.ciLow());
            putNumber(n, "ci_high", mc.ciHigh());
            putNumber(n, "p_value", mc.pValue());
            n.put("wins", mc.wins());
            n.put("ties", mc.ties());
            n.put("losses", mc.losses());
        }
        changes(root.putArray("most_improved"), comparison.mostImproved());
        changes(root.putArray("most_degraded"), comparison.mostDegraded());
        return root;
    }

    /**
     * @param comparison a comparison
     * @return pretty-printed JSON
     */
    public static String toJson(Comparison comparison) {
        return write(toTree(comparison));
    }

    /**
     * Writes an evaluation report atomically.
     *
     * @param result the result
     * @param file the target file
     */
    public static void write(EvaluationResult result, Path file) {
        ReportFiles.writeAtomically(file, toJson(result) + "\n");
    }

    /**
     * Writes a comparison report atomically.
     *
     * @param comparison the comparison
     * @param file the target file
     */
    public static void write(Comparison comparison, Path file) {
        ReportFiles.writeAtomically(file, toJson(comparison) + "\n");
    }

    /**
     * Reads back an evaluation report (for example to compare two saved results). The run and query texts
     * are not part of the report, so the result has neither.
     *
     * @param file a file written by {@link #write(EvaluationResult, Path)}
     * @return the result
     * @throws DataFormatException when the file is not an evaluation report
     */
    public static EvaluationResult readResult(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null,
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !EVALUATION_SCHEMA.equals(root.path("schema").asText())) {
            throw new DataFormatException(file, 0, "schema", "expected an evaluation report with \"schema\": \""
                    + EVALUATION_SCHEMA + "\" (written by JsonReport.write)");
        }
        try {
            Map<Metric, Double> mean = readValues(root.get("mean"));
            Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.get("per_query").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                perQuery.put(e.getKey(), readValues(e.getValue()));
            }
            JsonNode q = root.get("queries");
            QueryCounts counts = new QueryCounts(q.get("evaluated").asInt(), q.get("without_relevant").asInt(),
                    q.get("missing_from_run").asInt(), q.get("not_in_qrels").asInt());
            return new EvaluationResult(root.get("name").asText(), Metric.parse(root.get("primary").asText()),
                    new ArrayList<>(mean.keySet()), mean, perQuery, counts, Map.of(), null);
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new DataFormatException(file, 0, null, "incomplete evaluation report (" + e.getMessage()
                    + "); expected the fields name, primary, mean, per_query and queries");
        }
    }

    private static Map<Metric, Double> readValues(JsonNode node) {
        Map<Metric, Double> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(Metric.parse(e.getKey()), e.getValue().isNull() ? Double.NaN : e.getValue().asDouble());
        }
        return out;
    }

    private static void changes(ArrayNode array, List<QueryChange> changes) {
        for (QueryChange c : changes) {
            ObjectNode n = array.addObject();
            n.put("query_id", c.queryId());
            n.put("text", c.text());
            putNumber(n, "base", c.base());
            putNumber(n, "tuned", c.tuned());
            putNumber(n, "delta", c.delta());
        }
    }

    private static void putNumber(ObjectNode node, String key, double v) {
        if (Double.isFinite(v)) {
            node.put(key, v);
        } else {
            node.putNull(key);
        }
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
