package io.bge4j.train.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.verdict.EvaluatorVerdict;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link FinetuneVerdict} next to a run: {@code verdict.md} for people (the headline, one row per evaluator
 * with base, tuned, delta, its paired-bootstrap interval, p-value and the queries that got better and worse, the
 * merge line and the next step) and {@code verdict.json} with the same numbers. A file of either name that bge4j did
 * not write is left alone ({@link OutputFile.Status#SKIPPED}).
 *
 * <p>Usage: {@code VerdictReport.write(Path.of("runs/demo"), result.verdict().orElseThrow(), "bge4j merge --search ...");}
 */
public final class VerdictReport {

    /** File name of the Markdown verdict. */
    public static final String MARKDOWN = "verdict.md";
    /** File name of the JSON verdict. */
    public static final String JSON = "verdict.json";
    /** Schema id in {@code verdict.json}. */
    public static final String SCHEMA = "bge4j.verdict/1";
    /** The marker comment that identifies a {@code verdict.md} bge4j wrote. */
    public static final String MARKER = "<!-- bge4j:verdict";

    private VerdictReport() {}

    /**
     * @param dir the folder (created when missing)
     * @param v the verdict
     * @param nextStep a command or sentence saying what to do next, or null for none
     * @return what happened to {@code verdict.md} and {@code verdict.json}, in that order
     */
    public static List<OutputFile> write(Path dir, FinetuneVerdict v, String nextStep) {
        return List.of(SafeFiles.write(dir.resolve(MARKDOWN), markdown(v, nextStep), t -> t.contains(MARKER),
                "verdict"), SafeFiles.write(dir.resolve(JSON), json(v, nextStep), VerdictReport::isOurJson,
                "verdict JSON"));
    }

    /**
     * @param v the verdict
     * @param nextStep what to do next, or null
     * @return the Markdown page
     */
    public static String markdown(FinetuneVerdict v, String nextStep) {
        StringBuilder sb = new StringBuilder();
        sb.append(MARKER).append(": written by bge4j; the next run replaces this file. Delete this line to keep your"
                + " own edits. -->\n\n");
        sb.append("# Did fine-tuning help?\n\n**").append(ModelCardWriter.inline(v.headline())).append(".**\n\n");
        int pct = (int) Math.round(v.target().confidence() * 100);
        sb.append("| evaluator | verdict | metric | base | tuned | Δ | ").append(pct).append(" % CI of Δ | p |"
                + " queries better | worse | unchanged |\n|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (EvaluatorVerdict e : v.all()) {
            MetricComparison m = e.comparison();
            sb.append("| ").append(ModelCardWriter.inline(e.evaluator())).append(" | ").append(e.outcome().label())
                    .append(" | ").append(m.metric()).append(String.format(Locale.ROOT,
                            " | %.4f | %.4f | %+.4f | [%+.4f, %+.4f] | %s | %d | %d | %d", m.base(), m.tuned(),
                            m.delta(), m.ciLow(), m.ciHigh(), p(m.pValue()), e.better(), e.worse(), e.unchanged())).append(" |\n");
        }
        sb.append("\nThe verdict is read from the interval: improved when it lies above zero, regressed when below,"
                + " otherwise no significant change. Interval: paired bootstrap over the queries; p: paired"
                + " randomisation test.\n");
        v.optionalMerge().ifPresent(m -> sb.append("\n").append(ModelCardWriter.inline(m.line())).append('\n'));
        if (nextStep != null && !nextStep.isBlank()) {
            sb.append("\nNext step:\n\n```\n").append(nextStep.strip()).append("\n```\n");
        }
        return sb.toString();
    }

    /**
     * @param v the verdict
     * @param nextStep what to do next, or null
     * @return the JSON document (snake_case keys)
     */
    public static String json(FinetuneVerdict v, String nextStep) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("headline", v.headline());
        root.put("needs_merge", v.needsMerge());
        List<Map<String, Object>> evaluators = new ArrayList<>();
        for (EvaluatorVerdict e : v.all()) {
            MetricComparison m = e.comparison();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("evaluator", e.evaluator());
            o.put("role", e == v.target() ? "target" : "guard");
            o.put("outcome", e.outcome().name());
            o.put("metric", m.metric().key());
            o.put("base", m.base());
            o.put("tuned", m.tuned());
            o.put("delta", m.delta());
            o.put("ci_low", m.ciLow());
            o.put("ci_high", m.ciHigh());
            o.put("confidence", e.confidence());
            o.put("p_value", m.pValue());
            o.put("better", e.better());
            o.put("worse", e.worse());
            o.put("unchanged", e.unchanged());
            evaluators.add(o);
        }
        root.put("evaluators", evaluators);
        MergeSuggestion s = v.merge();
        if (s != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tuned_weight", s.tunedWeight());
            m.put("target_base", s.targetBase());
            m.put("target_tuned", s.targetTuned());
            m.put("target_merged", s.targetMerged());
            m.put("general_base", s.generalBase());
            m.put("general_merged", s.generalMerged());
            root.put("merge", m);
        } else {
            root.put("merge", null);
        }
        root.put("next_step", nextStep == null || nextStep.isBlank() ? null : nextStep.strip());
        try {
            return Json.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the verdict", e);
        }
    }

    /**
     * Deletes {@code verdict.md} and {@code verdict.json} in {@code dir} when bge4j wrote them: a run that reaches no
     * verdict must not leave an earlier run's standing. Files bge4j did not write stay.
     *
     * @param dir the folder
     * @return the files deleted
     */
    public static List<Path> removeOurs(Path dir) {
        List<Path> removed = new ArrayList<>();
        for (Path f : List.of(dir.resolve(MARKDOWN), dir.resolve(JSON))) {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                boolean ours = f.getFileName().toString().equals(MARKDOWN) ? text.contains(MARKER) : isOurJson(text);
                if (ours) {
                    Files.delete(f);
                    removed.add(f);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // unreadable: not provably ours, so it stays
            }
        }
        return List.copyOf(removed);
    }

    private static boolean isOurJson(String text) {
        try {
            return Json.MAPPER.readTree(text).path("schema").asText().startsWith("bge4j.verdict/");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static String p(double p) {
        return p < 1e-4 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }
}
