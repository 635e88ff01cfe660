package io.bge4j.eval.report;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryChange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Self-contained HTML reports: one file with inline CSS and an inline SVG bar chart, no scripts, no
 * external fonts, images or style sheets, so it opens offline and renders the same in any browser
 * (checked with headless Chromium, see docs/eval.md).
 *
 * <p>A comparison page shows a horizontal bar chart of base vs tuned for every metric, the metric table
 * (delta, confidence interval, p-value, wins/ties/losses) and the most improved and degraded queries
 * with their texts.
 *
 * <p>Usage: {@code HtmlReport.write(comparison, Path.of("runs/demo/report.html"));}
 */
public final class HtmlReport {
    private static final String BASE_COLOUR = "#9aa0a6";
    private static final String TUNED_COLOUR = "#1a73e8";
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;\
            max-width:1000px;padding:0 1rem;color:#202124;background:#fff}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
            table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
            th,td{border-bottom:1px solid #dadce0;padding:.3rem .6rem;text-align:right;vertical-align:top}
            th:first-child,td:first-child,td.text{text-align:left}
            td.text{max-width:420px}
            .pos{color:#137333}.neg{color:#c5221f}.note{color:#5f6368;font-size:.85rem}
            figure{margin:1rem 0}svg text{font-family:inherit}
            """;

    private HtmlReport() {
    }

    /**
     * @param c a comparison
     * @return a complete HTML document
     */
    public static String render(Comparison c) {
        String title = c.baseName() + " vs " + c.tunedName();
        StringBuilder sb = head(title);
        int pct = (int) Math.round(c.confidence() * 100);
        sb.append("<h1>").append(esc(title)).append("</h1>\n");
        MetricComparison primary = c.metric(c.primary());
        sb.append("<p>").append(c.queryIds().size()).append(" queries. Primary metric <b>")
                .append(esc(c.primary().key())).append("</b>: ").append(MarkdownReport.fmt(primary.base()))
                .append(" → ").append(MarkdownReport.fmt(primary.tuned())).append(" (")
                .append(deltaSpan(primary.delta())).append(", ").append(pct).append("% CI [")
                .append(MarkdownReport.signed(primary.ciLow())).append(", ")
                .append(MarkdownReport.signed(primary.ciHigh())).append("], p = ")
                .append(esc(MarkdownReport.pValue(primary.pValue()))).append(").</p>\n");
        List<String> labels = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (MetricComparison mc : c.metrics()) {
            labels.add(mc.metric().key());
            values.add(new double[] {mc.base(), mc.tuned()});
        }
        sb.append("<figure>").append(barChart(labels, List.of(c.baseName(), c.tunedName()), values))
                .append("</figure>\n");
        sb.append("<table><thead><tr><th>metric</th><th>base</th><th>tuned</th><th>Δ</th><th>").append(pct)
                .append("% CI of Δ</th><th>p</th><th>wins / ties / losses</th></tr></thead><tbody>\n");
        for (MetricComparison mc : c.metrics()) {
            sb.append("<tr><td>").append(esc(mc.metric().key())).append("</td><td>")
                    .append(MarkdownReport.fmt(mc.base())).append("</td><td>").append(MarkdownReport.fmt(mc.tuned()))
                    .append("</td><td>").append(deltaSpan(mc.delta())).append("</td><td>[")
                    .append(MarkdownReport.signed(mc.ciLow())).append(", ").append(MarkdownReport.signed(mc.ciHigh()))
                    .append("]</td><td>").append(esc(MarkdownReport.pValue(mc.pValue()))).append("</td><td>")
                    .append(mc.wins()).append(" / ").append(mc.ties()).append(" / ").append(mc.losses())
                    .append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n<p class=\"note\">").append(pct).append("% CI: paired bootstrap over queries, ")
                .append(c.bootstrapSamples()).append(" resamples. p: two-sided paired randomisation test, ")
                .append(c.permutations()).append(" permutations. Seed ").append(c.seed())
                .append(". * marks p &lt; 0.05.</p>\n");
        changes(sb, "Most improved queries", c.primary(), c.mostImproved());
        changes(sb, "Most degraded queries", c.primary(), c.mostDegraded());
        return sb.append("</body>\n</html>\n").toString();
    }

    /**
     * @param result an evaluation result
     * @return a complete HTML document with a chart and a table of the means
     */
    public static String render(EvaluationResult result) {
        StringBuilder sb = head(result.name());
        sb.append("<h1>").append(esc(result.name())).append("</h1>\n<p>")
                .append(esc(MarkdownReport.countsLine(result.counts()))).append(" Primary metric <b>")
                .append(esc(result.primary().key())).append("</b> = ")
                .append(MarkdownReport.fmt(result.primaryValue())).append(".</p>\n");
        List<String> labels = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (Map.Entry<Metric, Double> e : result.mean().entrySet()) {
            labels.add(e.getKey().key());
            values.add(new double[] {e.getValue()});
        }
        sb.append("<figure>").append(barChart(labels, List.of(result.name()), values)).append("</figure>\n");
        sb.append("<table><thead><tr><th>metric</th><th>mean</th></tr></thead><tbody>\n");
        for (Map.Entry<Metric, Double> e : result.mean().entrySet()) {
            sb.append("<tr><td>").append(esc(e.getKey().key())).append("</td><td>")
                    .append(MarkdownReport.fmt(e.getValue())).append("</td></tr>\n");
        }
        return sb.append("</tbody></table>\n</body>\n</html>\n").toString();
    }

    /**
     * Writes a comparison page atomically.
     *
     * @param c the comparison
     * @param file the target file
     */
    public static void write(Comparison c, Path file) {
        ReportFiles.writeAtomically(file, render(c));
    }

    /**
     * Writes a result page atomically.
     *
     * @param result the result
     * @param file the target file
     */
    public static void write(EvaluationResult result, Path file) {
        ReportFiles.writeAtomically(file, render(result));
    }

    private static StringBuilder head(String title) {
        StringBuilder sb = new StringBuilder(16_384);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        return sb;
    }

    /**
     * A horizontal grouped bar chart on a 0–1 axis: one group per label, one bar per series.
     * Values outside [0, 1] are clipped to the axis; NaN draws no bar and prints "n/a".
     */
    static String barChart(List<String> labels, List<String> series, List<double[]> values) {
        int labelWidth = 130;
        int plotWidth = 560;
        int valueWidth = 70;
        int bar = 11;
        int groupGap = 9;
        int top = 46;
        int groupHeight = series.size() * bar + groupGap;
        int height = top + labels.size() * groupHeight + 10;
        int width = labelWidth + plotWidth + valueWidth;
        String[] colours = series.size() == 1 ? new String[] {TUNED_COLOUR} : new String[] {BASE_COLOUR, TUNED_COLOUR};
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"bar chart of metric means\">\n");
        // legend
        for (int s = 0; s < series.size(); s++) {
            int x = labelWidth + s * 220;
            svg.append("<rect x=\"").append(x).append("\" y=\"6\" width=\"12\" height=\"12\" fill=\"")
                    .append(colours[s % colours.length]).append("\"/>")
                    .append("<text x=\"").append(x + 18).append("\" y=\"16\" font-size=\"12\">")
                    .append(esc(abbreviate(series.get(s), 30))).append("</text>\n");
        }
        // axis: grid lines and tick labels at 0, 0.25, .., 1
        for (int t = 0; t <= 4; t++) {
            double x = labelWidth + plotWidth * t / 4.0;
            svg.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(top - 6).append("\" x2=\"")
                    .append(num(x)).append("\" y2=\"").append(height - 10).append("\" stroke=\"#e0e0e0\"/>")
                    .append("<text x=\"").append(num(x)).append("\" y=\"").append(top - 10)
                    .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">")
                    .append(String.format(Locale.ROOT, "%.2f", t / 4.0)).append("</text>\n");
        }
        for (int i = 0; i < labels.size(); i++) {
            int y0 = top + i * groupHeight;
            svg.append("<text x=\"").append(labelWidth - 8).append("\" y=\"")
                    .append(y0 + series.size() * bar / 2 + 4)
                    .append("\" font-size=\"12\" text-anchor=\"end\">").append(esc(labels.get(i))).append("</text>\n");
            double[] v = values.get(i);
            for (int s = 0; s < series.size(); s++) {
                int y = y0 + s * bar;
                double value = v[s];
                double w = Double.isFinite(value) ? Math.max(0, Math.min(1, value)) * plotWidth : 0;
                svg.append("<rect x=\"").append(labelWidth).append("\" y=\"").append(y).append("\" width=\"")
                        .append(num(w)).append("\" height=\"").append(bar - 1).append("\" fill=\"")
                        .append(colours[s % colours.length]).append("\"><title>").append(esc(series.get(s)))
                        .append(' ').append(esc(labels.get(i))).append(" = ").append(MarkdownReport.fmt(value))
                        .append("</title></rect>")
                        .append("<text x=\"").append(num(labelWidth + w + 4)).append("\" y=\"").append(y + bar - 2)
                        .append("\" font-size=\"9\" fill=\"#3c4043\">").append(MarkdownReport.fmt(value))
                        .append("</text>\n");
            }
        }
        return svg.append("</svg>").toString();
    }

    private static void changes(StringBuilder sb, String title, Metric primary, List<QueryChange> list) {
        if (list.isEmpty()) {
            return;
        }
        sb.append("<h2>").append(esc(title)).append(" (").append(esc(primary.key())).append(")</h2>\n")
                .append("<table><thead><tr><th>query</th><th>text</th><th>base</th><th>tuned</th><th>Δ</th>")
                .append("</tr></thead><tbody>\n");
        for (QueryChange q : list) {
            sb.append("<tr><td>").append(esc(q.queryId())).append("</td><td class=\"text\">").append(esc(q.text()))
                    .append("</td><td>").append(MarkdownReport.fmt(q.base())).append("</td><td>")
                    .append(MarkdownReport.fmt(q.tuned())).append("</td><td>").append(deltaSpan(q.delta()))
                    .append("</td></tr>\n");
        }
        sb.append("</tbody></table>\n");
    }

    private static String deltaSpan(double delta) {
        String cls = delta > 0 ? "pos" : delta < 0 ? "neg" : "";
        return "<span class=\"" + cls + "\">" + MarkdownReport.signed(delta) + "</span>";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
