package io.bge4j.train.report;

import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.StepRecord;
import io.bge4j.train.TrainingDiagnostic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The training report: one self-contained HTML page (inline CSS and SVG, no scripts, no external
 * files, so it opens offline) with the curves a practitioner looks at first when a run goes wrong:
 * the training loss (raw and smoothed), the learning rate, the gradient norm (before clipping), the
 * throughput, and every dev metric against the step, the best step marked in each, the warnings and errors
 * marked on the loss curve at their steps; then the table of evaluations, the training data mix (when the set
 * carried a {@link io.bge4j.data.synthetic.MixReport}) and the diagnostics, each with its step. Everything comes
 * from the {@link TrainingHistory}, that is from {@code metrics.jsonl}.
 *
 * <p>Usage:
 * <pre>{@code
 * OutputFile f = TrainingReport.write(out.resolve(TrainingReport.FILE), TrainingHistory.read(out.resolve("metrics.jsonl")));
 * }</pre>
 */
public final class TrainingReport {

    /** Default file name in the run's output directory. */
    public static final String FILE = "report.html";
    /** The tag that marks a page bge4j wrote as a training report. */
    static final String GENERATOR = "<meta name=\"generator\" content=\"bge4j training report\">";
    /**
     * Smoothing weight of the loss curve for a run of {@code n} steps: {@code 1 - 10/n} kept within [0.6, 0.95], an
     * average over roughly the last tenth of the run (at most about 20 steps), so short runs are not lagged.
     */
    static double smoothingWeight(int n) {
        return Math.max(0.6, Math.min(0.95, 1 - 10.0 / Math.max(1, n)));
    }

    private static final String[] PALETTE = {"#1a73e8", "#e8710a", "#188038", "#a142f4", "#d93025", "#12b5cb",
        "#f538a0", "#5f6368"};
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:1.5rem auto;\
            max-width:1020px;padding:0 1rem;color:#202124;background:#fff}
            h1{font-size:1.45rem;margin-bottom:.3rem}h2{font-size:1.1rem;margin-top:1.8rem}
            .grid{display:flex;flex-wrap:wrap;gap:12px}.grid svg{border:1px solid #eceff1;border-radius:6px}
            table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}
            th,td{border-bottom:1px solid #dadce0;padding:.25rem .55rem;text-align:right;vertical-align:top}
            th:first-child,td:first-child,td.text{text-align:left}
            .summary td{text-align:left}.note{color:#5f6368;font-size:.85rem}
            .sev-ERROR{color:#c5221f;font-weight:600}.sev-WARNING{color:#b06000;font-weight:600}.sev-INFO{color:#5f6368}
            .best{color:#188038;font-weight:600}.scroll{overflow-x:auto}
            .marks{font-size:.85rem;color:#5f6368}
            """;

    private TrainingReport() {}

    /**
     * @param h the run's records
     * @return a complete HTML document
     */
    public static String render(TrainingHistory h) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n").append(GENERATOR)
                .append("\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(Html.esc("Training report: " + h.name())).append("</title>\n<style>").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        sb.append("<h1>Training report: ").append(Html.esc(h.name())).append("</h1>\n");
        summary(sb, h);
        List<StepRecord> steps = h.steps();
        EvaluationRecord best = h.best().orElse(null);
        Double bestX = best == null ? null : (double) best.step();
        String bestLabel = best == null ? "" : "best @ " + best.step();

        sb.append("<h2>Training curves</h2>\n<div class=\"grid\">\n");
        double[] x = new double[steps.size()];
        double[] loss = new double[steps.size()];
        double[] con = new double[steps.size()];
        double[] kd = new double[steps.size()];
        double[] lr = new double[steps.size()];
        double[] gn = new double[steps.size()];
        double[] eps = new double[steps.size()];
        boolean distilled = false;
        for (int i = 0; i < steps.size(); i++) {
            StepRecord s = steps.get(i);
            x[i] = s.step();
            loss[i] = s.loss();
            con[i] = s.contrastiveLoss();
            kd[i] = s.distillationLoss();
            lr[i] = s.learningRate();
            gn[i] = s.gradNorm();
            eps[i] = s.examplesPerSecond();
            distilled |= s.distillationLoss() != 0;
        }
        double w = smoothingWeight(steps.size());
        LineChart lossChart = new LineChart("Training loss")
                .add(new LineChart.Series("loss", "#aecbfa", x, loss, false, false, 1.2))
                .add(new LineChart.Series(String.format(Locale.ROOT, "smoothed (%.2f)", w), "#1a73e8", x,
                        LineChart.smooth(loss, w), false, false, 2.2));
        if (distilled) {
            lossChart.add(new LineChart.Series("contrastive", "#e8710a", x, con, true, false, 1.4))
                    .add(new LineChart.Series("distillation", "#a142f4", x, kd, true, false, 1.4));
        }
        int marked = markFindings(lossChart, h.diagnostics());
        chart(sb, lossChart, bestX, bestLabel);
        chart(sb, new LineChart("Learning rate").add(new LineChart.Series("lr", "#e8710a", x, lr, false, false, 2)),
                bestX, bestLabel);
        chart(sb, new LineChart("Gradient norm (before clipping)")
                .add(new LineChart.Series("grad norm", "#a142f4", x, gn, false, false, 1.5)), bestX, bestLabel);
        chart(sb, new LineChart("Throughput (examples/s)")
                .add(new LineChart.Series("examples/s", "#5f6368", x, eps, false, false, 1.5)), bestX, bestLabel);
        sb.append("</div>\n");
        if (marked > 0) {
            sb.append("<p class=\"marks\">On the loss curve, a dotted line with a triangle marks each warning (orange)"
                    + " and error (red) found at a training step (").append(marked)
                    .append(marked == 1 ? " finding" : " findings").append("; hover a mark for its text).</p>\n");
        }

        List<EvaluationRecord> evals = h.evaluations();
        if (!evals.isEmpty()) {
            String primary = evals.get(0).primaryMetric();
            sb.append("<h2>Dev metrics</h2>\n<div class=\"grid\">\n");
            double[] ex = new double[evals.size()];
            double[] pv = new double[evals.size()];
            for (int i = 0; i < evals.size(); i++) {
                ex[i] = evals.get(i).step();
                pv[i] = evals.get(i).primaryValue();
            }
            LineChart pc = new LineChart(primary + " (primary: picks the best model)")
                    .add(new LineChart.Series(primary, "#188038", ex, pv, false, true, 2.2));
            if (best != null) {
                pc.highlight(best.step(), best.primaryValue(), String.format(Locale.ROOT, "best %.4f @ %d",
                        best.primaryValue(), best.step()));
            }
            chart(sb, pc, bestX, "");
            for (Map.Entry<String, List<String>> group : metricGroups(evals).entrySet()) {
                LineChart c = new LineChart(group.getKey());
                int colour = 0;
                for (String key : group.getValue()) {
                    double[] v = new double[evals.size()];
                    for (int i = 0; i < evals.size(); i++) {
                        v[i] = evals.get(i).metrics().getOrDefault(key, Double.NaN);
                    }
                    c.add(new LineChart.Series(key, PALETTE[colour++ % PALETTE.length], ex, v, false, true, 1.6));
                }
                chart(sb, c, bestX, bestLabel);
            }
            sb.append("</div>\n");
            evaluationTable(sb, evals, primary);
        }
        h.optionalDataMix().ifPresent(m -> sb.append("<h2>Training data mix</h2>\n").append(m.toHtml()));
        diagnostics(sb, h.diagnostics());
        sb.append("<p class=\"note\">Written by bge4j from ").append(steps.size()).append(" step and ")
                .append(evals.size()).append(" evaluation records. Loss smoothing: exponential moving average,"
                        + " weight ")
                .append(String.format(Locale.ROOT, "%.2f", smoothingWeight(steps.size()))).append(", debiased. Self-contained page: no scripts,"
                        + " no network.</p>\n");
        return sb.append("</body>\n</html>\n").toString();
    }

    /**
     * Writes the page; a file there that is not a bge4j training report is left alone.
     *
     * @param file the target, usually {@code outputDir/report.html}
     * @param h the run's records
     * @return what happened
     */
    public static OutputFile write(Path file, TrainingHistory h) {
        return SafeFiles.write(file, render(h), text -> text.contains(GENERATOR), "training report");
    }

    /**
     * Reads {@code outputDir/metrics.jsonl} and writes {@code outputDir/report.html}.
     *
     * @param outputDir a run's output directory
     * @return what happened
     */
    public static OutputFile writeFor(Path outputDir) {
        return write(outputDir.resolve(FILE), MetricsLog.read(outputDir.resolve("metrics.jsonl")));
    }

    /** Metric keys grouped by measure ({@code ndcg@1, ndcg@10 → ndcg}), in first-seen order. */
    static Map<String, List<String>> metricGroups(List<EvaluationRecord> evals) {
        Set<String> keys = new LinkedHashSet<>();
        for (EvaluationRecord e : evals) {
            keys.addAll(e.metrics().keySet());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String k : keys) {
            int at = k.indexOf('@');
            out.computeIfAbsent(at > 0 ? k.substring(0, at) : k, g -> new ArrayList<>()).add(k);
        }
        return out;
    }

    /** Marks each warning and error of a training step on the chart; @return how many were marked */
    static int markFindings(LineChart c, List<TrainingDiagnostic> diags) {
        int n = 0;
        for (TrainingDiagnostic d : diags) {
            if (d.step() > 0 && d.severity() != TrainingDiagnostic.Severity.INFO) {
                c.event(d.step(), d.severity() + " " + d.code() + " at step " + d.step() + ": " + d.message(),
                        d.severity() == TrainingDiagnostic.Severity.ERROR ? "#d93025" : "#e8710a");
                n++;
            }
        }
        return n;
    }

    private static void chart(StringBuilder sb, LineChart c, Double bestX, String bestLabel) {
        if (bestX != null) {
            c.markX(bestX, bestLabel);
        }
        sb.append(c.render(490, 250)).append('\n');
    }

    private static void summary(StringBuilder sb, TrainingHistory h) {
        List<StepRecord> steps = h.steps();
        sb.append("<table class=\"summary\"><tbody>\n");
        if (steps.isEmpty()) {
            row(sb, "Steps", "none recorded");
        } else {
            StepRecord first = steps.get(0);
            StepRecord last = steps.get(steps.size() - 1);
            row(sb, "Steps", steps.size() + " (step " + first.step() + " to " + last.step() + ", epochs "
                    + (first.epoch() + 1) + "–" + (last.epoch() + 1) + ")");
            int tail = Math.min(10, steps.size());
            double lastMean = steps.subList(steps.size() - tail, steps.size()).stream()
                    .mapToDouble(StepRecord::loss).average().orElse(Double.NaN);
            row(sb, "Loss", LineChart.fixed(first.loss()) + " at the first step → " + LineChart.fixed(lastMean)
                    + " (mean of the last " + tail + ")");
            double peak = steps.stream().mapToDouble(StepRecord::learningRate).max().orElse(Double.NaN);
            row(sb, "Peak learning rate", String.format(Locale.ROOT, "%.3g", peak));
        }
        h.best().ifPresent(b -> {
            String base = h.evaluations().stream().filter(e -> e.step() == 0).findFirst()
                    .map(e -> String.format(Locale.ROOT, " (before training %.4f, %+.4f)", e.primaryValue(),
                            b.primaryValue() - e.primaryValue()))
                    .orElse("");
            row(sb, "Best " + b.primaryMetric(), String.format(Locale.ROOT, "%.4f at step %d", b.primaryValue(),
                    b.step()) + base);
        });
        if (h.stopReason() != null) {
            row(sb, "Stopped", h.stopReason());
        }
        h.optionalDataMix().ifPresent(m -> row(sb, "Training data", String.format(Locale.ROOT,
                "%d examples mixed: %d real, %d synthetic (%.1f %% synthetic)", m.total(), m.real(), m.synthetic(),
                100 * m.syntheticShare())));
        if (h.runStarts().size() > 1) {
            row(sb, "Runs", h.runStarts().size() + " (resumed or restarted into the same log)");
        }
        if (h.supersededRecords() > 0) {
            row(sb, "Superseded records", h.supersededRecords() + " records of steps a later run repeated were"
                    + " replaced by that run's");
        }
        if (h.ignoredLines() > 0) {
            row(sb, "Ignored lines", h.ignoredLines() + " lines of a type this version does not know");
        }
        long warnings = h.diagnostics().stream().filter(d -> d.severity() != TrainingDiagnostic.Severity.INFO).count();
        row(sb, "Diagnostics", h.diagnostics().size() + " (" + warnings + " warnings or errors)");
        sb.append("</tbody></table>\n");
    }

    private static void evaluationTable(StringBuilder sb, List<EvaluationRecord> evals, String primary) {
        double base = evals.get(0).step() == 0 ? evals.get(0).primaryValue() : Double.NaN;
        sb.append("<h2>Evaluations</h2>\n<div class=\"scroll\"><table><thead><tr><th>step</th><th>")
                .append(Html.esc(primary)).append("</th><th>Δ vs step 0</th><th>best so far</th></tr></thead><tbody>\n");
        for (EvaluationRecord e : evals) {
            sb.append("<tr").append(e.isBest() ? " class=\"best\"" : "").append("><td>").append(e.step())
                    .append("</td><td>").append(LineChart.fixed(e.primaryValue())).append("</td><td>")
                    .append(Double.isFinite(base) ? String.format(Locale.ROOT, "%+.4f", e.primaryValue() - base) : "n/a")
                    .append("</td><td>").append(e.isBest() ? "✓" : "").append("</td></tr>\n");
        }
        sb.append("</tbody></table></div>\n");
    }

    private static void diagnostics(StringBuilder sb, List<TrainingDiagnostic> diags) {
        sb.append("<h2>Diagnostics</h2>\n");
        if (diags.isEmpty()) {
            sb.append("<p>None: no finding during preflight or training.</p>\n");
            return;
        }
        sb.append("<table><thead><tr><th>severity</th><th>code</th><th>step</th><th>finding</th><th>what to do</th>"
                + "</tr></thead><tbody>\n");
        for (TrainingDiagnostic d : diags) {
            sb.append("<tr><td class=\"sev-").append(d.severity().name()).append("\">").append(d.severity().name())
                    .append("</td><td>").append(Html.esc(d.code())).append("</td><td>")
                    .append(d.step() == 0 ? "preflight" : String.valueOf(d.step())).append("</td><td class=\"text\">")
                    .append(Html.esc(d.message())).append("</td><td class=\"text\">").append(Html.esc(d.suggestion()))
                    .append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n");
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th>").append(Html.esc(k)).append("</th><td>").append(Html.esc(v)).append("</td></tr>\n");
    }
}
