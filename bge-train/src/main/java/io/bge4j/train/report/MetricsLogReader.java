package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import io.bge4j.train.report.MetricsLog.RunStart;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code metrics.jsonl} back into a {@link TrainingHistory}: the reading half of {@link MetricsLog}
 * (which documents the format and writes every line), with the rules for appended runs (later lines win) and
 * file + line + field in every error.
 */
final class MetricsLogReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsLogReader() {}

    /**
     * @param file a {@code metrics.jsonl}
     * @return its records, later runs replacing the steps they repeated
     * @throws DataFormatException with file and line for a malformed line
     */
    static TrainingHistory read(Path file) {
        List<StepRecord> steps = new ArrayList<>();
        List<EvaluationRecord> evals = new ArrayList<>();
        List<TrainingDiagnostic> diags = new ArrayList<>();
        List<RunStart> starts = new ArrayList<>();
        MixReport mix = null;
        String stop = null;
        int superseded = 0;
        int ignored = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long lineNo = 0;
            while ((text = in.readLine()) != null) {
                lineNo++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new DataFormatException(file, lineNo, null, "not valid JSON: " + e.getOriginalMessage());
                }
                if (n == null || !n.isObject()) {
                    throw new DataFormatException(file, lineNo, null, "expected a JSON object with a \"type\"");
                }
                Line l = new Line(file, lineNo, n);
                switch (n.path("type").asText()) {
                    case "step" -> {
                        StepRecord r = new StepRecord(l.lng("step"), (int) l.lng("epoch"), l.dbl("loss"),
                                l.dbl("contrastive_loss"), l.optDbl("distillation_loss", 0), l.dbl("lr"),
                                l.dbl("grad_norm"), l.optDbl("examples_per_s", Double.NaN),
                                l.optDbl("tokens_per_s", Double.NaN), (long) l.optDbl("masked_candidates", 0),
                                l.optDbl("padding_efficiency", Double.NaN));
                        if (!steps.isEmpty() && r.step() <= steps.get(steps.size() - 1).step()) {
                            superseded += drop(steps, evals, r.step(), r.step());
                        }
                        steps.add(r);
                    }
                    case "eval" -> {
                        Map<String, Double> metrics = new LinkedHashMap<>();
                        JsonNode m = n.path("metrics");
                        if (!m.isObject()) {
                            throw new DataFormatException(file, lineNo, "metrics", "expected an object of metric → value");
                        }
                        Iterator<Map.Entry<String, JsonNode>> it = m.fields();
                        while (it.hasNext()) {
                            Map.Entry<String, JsonNode> e = it.next();
                            metrics.put(e.getKey(), number(e.getValue()));
                        }
                        EvaluationRecord r = new EvaluationRecord(l.lng("step"), l.str("primary"), l.dbl("value"),
                                metrics, l.bool("best"));
                        if (!evals.isEmpty() && r.step() <= evals.get(evals.size() - 1).step()) {
                            superseded += drop(steps, evals, r.step() + 1, r.step());
                        }
                        evals.add(r);
                    }
                    case "diagnostic" -> {
                        TrainingDiagnostic.Severity sev;
                        try {
                            sev = TrainingDiagnostic.Severity.valueOf(l.str("severity").toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new DataFormatException(file, lineNo, "severity", "expected INFO, WARNING or ERROR");
                        }
                        diags.add(new TrainingDiagnostic(sev, l.str("code"), l.lng("step"), l.str("message"),
                                n.path("suggestion").asText("")));
                    }
                    case "run_start" -> {
                        RunStart r = new RunStart(l.lng("start_step"), n.hasNonNull("time") ? n.get("time").asText() : null,
                                n.hasNonNull("resumed_from") ? n.get("resumed_from").asText() : null);
                        // a fresh run (start 0) replaces everything, including the old step-0 evaluation
                        long from = r.startStep() == 0 ? 0 : r.startStep() + 1;
                        superseded += drop(steps, evals, from, from);
                        diags.removeIf(d -> r.startStep() == 0 || d.step() > r.startStep());
                        if (r.startStep() == 0) {
                            mix = null;
                        }
                        starts.add(r);
                        stop = null;
                    }
                    case "run_end" -> stop = l.str("stop_reason");
                    case "data_mix" -> {
                        try {
                            mix = MixReport.fromJson(text);
                        } catch (IllegalArgumentException e) {
                            throw new DataFormatException(file, lineNo, null, e.getMessage());
                        }
                    }
                    case "memory_plan" -> { } // provenance of the step layout; not part of the history
                    default -> ignored++;
                }
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Path parent = file.toAbsolutePath().getParent();
        String name = parent == null || parent.getFileName() == null ? file.toString() : parent.getFileName().toString();
        return new TrainingHistory(name, steps, evals, diags, starts, stop, superseded, ignored, mix);
    }

    /**
     * Drops the records a later run repeats: steps numbered at least {@code stepsFrom}, evaluations at a step of at
     * least {@code evalsFrom}. A step line k repeats from step k (evaluations after step k-1 go too); an evaluation
     * line at s repeats the evaluations from s and the steps after s; a run start at N repeats everything after N
     * (everything, including the base evaluation, when N is 0).
     */
    private static int drop(List<StepRecord> steps, List<EvaluationRecord> evals, long stepsFrom, long evalsFrom) {
        int before = steps.size() + evals.size();
        steps.removeIf(s -> s.step() >= stepsFrom);
        evals.removeIf(e -> e.step() >= evalsFrom);
        return before - steps.size() - evals.size();
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) { // Jackson writes NaN and infinities as strings
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** Field access with file + line + field in every error. */
    private record Line(Path file, long no, JsonNode n) {
        JsonNode need(String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw new DataFormatException(file, no, field, "missing in a \"" + n.path("type").asText() + "\" line");
            }
            return v;
        }

        long lng(String field) {
            JsonNode v = need(field);
            if (!v.isIntegralNumber()) {
                throw new DataFormatException(file, no, field, "expected an integer, got " + v);
            }
            return v.asLong();
        }

        double dbl(String field) {
            JsonNode v = need(field);
            if (!v.isNumber() && !v.isTextual()) {
                throw new DataFormatException(file, no, field, "expected a number, got " + v);
            }
            double d = number(v);
            if (v.isTextual() && Double.isNaN(d) && !"NaN".equals(v.asText())) {
                throw new DataFormatException(file, no, field, "expected a number, got " + v);
            }
            return d;
        }

        double optDbl(String field, double dflt) {
            return n.hasNonNull(field) ? dbl(field) : dflt;
        }

        String str(String field) {
            return need(field).asText();
        }

        boolean bool(String field) {
            JsonNode v = need(field);
            if (!v.isBoolean()) {
                throw new DataFormatException(file, no, field, "expected true or false, got " + v);
            }
            return v.asBoolean();
        }
    }
}
