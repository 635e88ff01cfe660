package io.bge4j.eval.report;

import io.bge4j.data.sampling.SamplingReport;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.MetricType;
import io.bge4j.eval.QueryChange;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Self-contained HTML reports: one file with inline CSS and inline SVG, no scripts, no external
 * fonts, images or style sheets, so it opens offline and renders the same in any browser (checked
 * with headless Chromium, see docs/reports.md).
 *
 * <p>A comparison page reads top-down: the primary metric with its confidence interval (drawn
 * against zero) and what it means; a compact grid of every other metric (one row per measure, one
 * column per cutoff; each cell the tuned value and the delta, tinted when the interval excludes zero,
 * with base value, interval, p and wins/ties/losses on hover); then, for the most improved and most
 * degraded queries, the relevant documents and the top retrieved documents before and after; then the
 * data-mixing and mining reports when given ({@link ComparisonReport}).
 *
 * <p>Usage: {@code HtmlReport.write(ComparisonReport.builder(c).runs(before, after).corpus(corpus).qrels(qrels).build(), file);}
 */
public final class HtmlReport {
    static final String IMPROVED = "#188038";
    static final String DEGRADED = "#d93025";
    static final String UNDECIDED = "#e37400";
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;\
            max-width:1040px;padding:0 1rem;color:#202124;background:#fff}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem;margin:.2rem 0}
            table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
            th,td{border-bottom:1px solid #dadce0;padding:.3rem .6rem;text-align:right;vertical-align:top}
            th:first-child,td:first-child,td.text{text-align:left}
            td.text{max-width:420px}
            .pos{color:#137333}.neg{color:#c5221f}.note{color:#5f6368;font-size:.85rem}
            figure{margin:1rem 0}svg text{font-family:inherit}
            .headline{border:1px solid #dadce0;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
            .headline .big{font-size:1.35rem;font-weight:600}
            table.grid td{min-width:78px;text-align:center;border:1px solid #fff}
            table.grid td.improved{background:#e6f4ea}table.grid td.degraded{background:#fce8e6}
            table.grid td.undecided{background:#f1f3f4}table.grid td.primary{outline:2px solid #202124}
            table.grid .v{font-weight:600}table.grid .d{font-size:.78rem}
            .query{border:1px solid #dadce0;border-radius:8px;padding:.6rem .9rem;margin:.8rem 0}
            .cols{display:flex;gap:1rem;flex-wrap:wrap}.cols>div{flex:1 1 300px}
            ol.hits{margin:.2rem 0;padding-left:1.6rem;font-size:.85rem}ol.hits li{margin:.25rem 0}
            .rel{background:#e6f4ea}.id{font-family:ui-monospace,monospace;font-size:.8rem;color:#5f6368}
            .relevant{font-size:.85rem;margin:.3rem 0}
            """;

    private HtmlReport() {
    }

    /**
     * @param c a comparison
     * @return a complete HTML document (the comparison alone: no rankings, mixing or mining sections)
     */
    public static String render(Comparison c) {
        return render(ComparisonReport.of(c));
    }

    /**
     * @param r a comparison with the optional runs, corpus, qrels, mixing and mining reports
     * @return a complete HTML document
     */
    public static String render(ComparisonReport r) {
        Comparison c = r.comparison();
        String title = c.baseName() + " vs " + c.tunedName();
        StringBuilder sb = head(title);
        int pct = (int) Math.round(c.confidence() * 100);
        sb.append("<h1>").append(esc(title)).append("</h1>\n");
        headline(sb, c, pct);
        grid(sb, c, pct);
        queries(sb, r, "Most improved queries", c.mostImproved());
        queries(sb, r, "Most degraded queries", c.mostDegraded());
        r.optionalMixing().ifPresent(m -> mixing(sb, m));
        r.optionalMining().ifPresent(m -> mining(sb, m));
        sb.append("<p class=\"note\">").append(pct).append("% CI: paired bootstrap over queries, ")
                .append(c.bootstrapSamples()).append(" resamples. p: two-sided paired randomisation test, ")
                .append(c.permutations()).append(" permutations. Seed ").append(c.seed())
                .append(". * marks p &lt; 0.05. Written by bge4j; no scripts, no network.</p>\n");
        return sb.append("</body>\n</html>\n").toString();
    }

    private static void headline(StringBuilder sb, Comparison c, int pct) {
        MetricComparison p = c.metric(c.primary());
        String verdict = ComparisonView.verdict(p);
        sb.append("<div class=\"headline\"><div class=\"big\">").append(esc(c.primary().key())).append(": ")
                .append(MarkdownReport.fmt(p.base())).append(" → ").append(MarkdownReport.fmt(p.tuned())).append(" (")
                .append(deltaSpan(p.delta())).append(")</div>\n<div>").append(pct).append("% CI of the change [")
                .append(MarkdownReport.signed(p.ciLow())).append(", ").append(MarkdownReport.signed(p.ciHigh()))
                .append("], p = ").append(esc(MarkdownReport.pValue(p.pValue()))).append("; ")
                .append(c.queryIds().size()).append(" queries, ").append(p.wins()).append(" better, ")
                .append(p.ties()).append(" unchanged, ").append(p.losses()).append(" worse.</div>\n<div><b>")
                .append(switch (verdict) {
                    case "improved" -> "The interval lies above 0: the fine-tuned model is better on these queries.";
                    case "degraded" -> "The interval lies below 0: the fine-tuned model is worse on these queries.";
                    default -> "The interval includes 0: on these queries the change cannot be told apart from noise.";
                }).append("</b></div>\n<figure>").append(intervalChart(p, pct)).append("</figure></div>\n");
    }

    /** The delta as a dot, its interval as a bar, against a symmetric axis centred on 0. */
    static String intervalChart(MetricComparison p, int pct) {
        int w = 640;
        int h = 64;
        int left = 40;
        int right = 40;
        double extent = axisExtent(p);
        double scale = (w - left - right) / (2 * extent);
        double zero = left + (w - left - right) / 2.0;
        String colour = switch (ComparisonView.verdict(p)) {
            case "improved" -> IMPROVED;
            case "degraded" -> DEGRADED;
            default -> UNDECIDED;
        };
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" role=\"img\" aria-label=\"change of the primary metric with its confidence interval\">\n");
        svg.append("<line x1=\"").append(left).append("\" y1=\"30\" x2=\"").append(w - right)
                .append("\" y2=\"30\" stroke=\"#dadce0\"/>\n");
        for (double t : new double[] {-extent, -extent / 2, 0, extent / 2, extent}) {
            double x = zero + t * scale;
            svg.append("<line x1=\"").append(num(x)).append("\" y1=\"").append(t == 0 ? 8 : 26).append("\" x2=\"")
                    .append(num(x)).append("\" y2=\"").append(t == 0 ? 44 : 34).append("\" stroke=\"")
                    .append(t == 0 ? "#5f6368" : "#bdc1c6").append("\"/>").append("<text x=\"").append(num(x))
                    .append("\" y=\"58\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5f6368\">")
                    .append(t == 0 ? "0" : MarkdownReport.trim(String.format(Locale.ROOT, "%+.4f", t))).append("</text>\n");
        }
        if (Double.isFinite(p.ciLow()) && Double.isFinite(p.ciHigh())) {
            double x0 = zero + p.ciLow() * scale;
            double x1 = zero + p.ciHigh() * scale;
            svg.append("<rect class=\"ci\" x=\"").append(num(x0)).append("\" y=\"24\" width=\"")
                    .append(num(Math.max(1, x1 - x0))).append("\" height=\"12\" rx=\"3\" fill=\"").append(colour)
                    .append("\" fill-opacity=\"0.35\"><title>").append(pct).append("% CI [")
                    .append(MarkdownReport.signed(p.ciLow())).append(", ").append(MarkdownReport.signed(p.ciHigh()))
                    .append("]</title></rect>\n");
        }
        if (Double.isFinite(p.delta())) {
            double x = zero + p.delta() * scale;
            svg.append("<circle cx=\"").append(num(x)).append("\" cy=\"30\" r=\"6\" fill=\"").append(colour)
                    .append("\"/><text x=\"").append(num(x)).append("\" y=\"16\" font-size=\"11\" text-anchor=\"middle\">")
                    .append("Δ ").append(MarkdownReport.signed(p.delta())).append("</text>\n");
        }
        return svg.append("</svg>").toString();
    }

    private static void grid(StringBuilder sb, Comparison c, int pct) {
        ComparisonView.Grid g = ComparisonView.grid(c);
        sb.append("<h2>All metrics</h2>\n<table class=\"grid\"><thead><tr><th>measure</th>");
        for (int k : g.cutoffs()) {
            sb.append("<th>@").append(k).append("</th>");
        }
        sb.append("</tr></thead><tbody>\n");
        for (MetricType t : g.rows()) {
            sb.append("<tr><th>").append(esc(t.prefix())).append("</th>");
            for (int k : g.cutoffs()) {
                MetricComparison mc = g.cell(t, k);
                if (mc == null) {
                    sb.append("<td></td>");
                    continue;
                }
                sb.append("<td class=\"").append(ComparisonView.verdict(mc))
                        .append(mc.metric().equals(c.primary()) ? " primary" : "").append("\" title=\"")
                        .append(esc(mc.metric().key() + ": base " + MarkdownReport.fmt(mc.base()) + ", tuned "
                                + MarkdownReport.fmt(mc.tuned()) + ", " + pct + "% CI [" + MarkdownReport.signed(mc.ciLow())
                                + ", " + MarkdownReport.signed(mc.ciHigh()) + "], p = " + MarkdownReport.pValue(mc.pValue())
                                + ", wins/ties/losses " + mc.wins() + "/" + mc.ties() + "/" + mc.losses()))
                        .append("\"><div class=\"v\">").append(MarkdownReport.fmt(mc.tuned()))
                        .append("</div><div class=\"d\">").append(deltaSpan(mc.delta()))
                        .append(mc.pValue() < 0.05 ? "*" : "").append("</div></td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody></table>\n<p class=\"note\">Each cell: the fine-tuned value and its change. Green: the ")
                .append(pct).append("% interval of the change lies above 0; red: below 0; grey: it includes 0."
                        + " The outlined cell is the primary metric. Hover a cell for base value, interval, p and"
                        + " wins/ties/losses.</p>\n");
    }

    private static void queries(StringBuilder sb, ComparisonReport r, String title, List<QueryChange> list) {
        if (list.isEmpty()) {
            return;
        }
        Comparison c = r.comparison();
        sb.append("<h2>").append(esc(title)).append(" (").append(esc(c.primary().key())).append(")</h2>\n");
        if (!r.hasRankings()) {
            sb.append("<p class=\"note\">Retrieved documents are not shown: build the evaluator with keepRun(true)"
                    + " and pass both results, the corpus and the qrels to ComparisonReport.</p>\n");
        }
        for (ComparisonView.Detail d : ComparisonView.details(r, list)) {
            QueryChange q = d.change();
            sb.append("<div class=\"query\"><h3>").append(esc(q.text().isEmpty() ? q.queryId() : q.text()))
                    .append(" <span class=\"id\">").append(esc(q.queryId())).append("</span></h3>\n<div>")
                    .append(esc(c.primary().key())).append(' ').append(MarkdownReport.fmt(q.base())).append(" → ")
                    .append(MarkdownReport.fmt(q.tuned())).append(" (").append(deltaSpan(q.delta())).append(")</div>\n");
            for (ComparisonView.Relevant rel : d.relevant()) {
                sb.append("<div class=\"relevant\">Relevant <span class=\"id\">").append(esc(rel.docId()))
                        .append("</span>").append(rel.grade() > 1 ? " (grade " + rel.grade() + ")" : "");
                if (rel.rankBefore() >= 0) {
                    sb.append(": rank ").append(rankText(rel.rankBefore())).append(" → ").append(rankText(rel.rankAfter()));
                }
                sb.append(rel.text().isEmpty() ? "" : " — " + esc(rel.text())).append("</div>\n");
            }
            if (r.hasRankings()) {
                sb.append("<div class=\"cols\">");
                hitList(sb, "Before: " + c.baseName(), d.before());
                hitList(sb, "After: " + c.tunedName(), d.after());
                sb.append("</div>\n");
            }
            sb.append("</div>\n");
        }
    }

    private static String rankText(int rank) {
        return rank == 0 ? "not retrieved" : String.valueOf(rank);
    }

    private static void hitList(StringBuilder sb, String title, List<ComparisonView.Hit> hits) {
        sb.append("<div><b>").append(esc(title)).append("</b><ol class=\"hits\">");
        for (ComparisonView.Hit h : hits) {
            sb.append("<li").append(h.relevant() ? " class=\"rel\"" : "").append('>').append(h.relevant() ? "✓ " : "")
                    .append("<span class=\"id\">").append(esc(h.docId())).append(' ')
                    .append(String.format(Locale.ROOT, "%.3f", h.score())).append("</span> ").append(esc(h.text()))
                    .append("</li>");
        }
        if (hits.isEmpty()) {
            sb.append("<li>(no ranking for this query)</li>");
        }
        sb.append("</ol></div>");
    }

    private static void mixing(StringBuilder sb, MixReport m) {
        sb.append("<h2>Training data mix</h2>\n").append(m.toHtml());
    }

    private static void mining(StringBuilder sb, MiningSummary m) {
        SamplingReport r = m.report();
        sb.append("<h2>Hard-negative mining</h2>\n<table><tbody>\n");
        miningRow(sb, "sampler", esc(r.sampler()));
        miningRow(sb, "examples", String.valueOf(r.examples()));
        miningRow(sb, "negatives requested per query", String.valueOf(r.negativesPerQuery()));
        miningRow(sb, "negatives produced", String.valueOf(r.negativesProduced()));
        miningRow(sb, "dropped as likely false negatives", String.valueOf(r.falseNegativesDropped()));
        miningRow(sb, "candidates skipped as positives", String.valueOf(r.candidatesSkippedAsPositive()));
        miningRow(sb, "examples topped up with random negatives", r.examplesToppedUp() + " (" + r.negativesToppedUp()
                + " negatives)");
        miningRow(sb, "examples still short", String.valueOf(r.examplesShort()));
        miningRow(sb, "positives not found in the corpus", String.valueOf(r.positivesNotInCorpus()));
        sb.append("</tbody></table>\n<div class=\"cols\"><div><b>Negatives per query</b><figure>")
                .append(Charts.counts(m.negativesPerQuery(), "negatives", "queries")).append("</figure></div>\n");
        if (!m.negativeScores().isEmpty()) {
            sb.append("<div><b>Retrieval scores").append(m.positiveScores().isEmpty() ? " of the negatives" : "")
                    .append("</b><figure>").append(Charts.scoreHistogram(m.positiveScores(), m.negativeScores()))
                    .append("</figure></div>\n");
        }
        sb.append("</div>\n");
        if (m.positiveScores().isEmpty() && !m.negativeScores().isEmpty()) {
            sb.append("<p class=\"note\">Positive scores were not supplied (MiningSummary.withPositiveScores), so only"
                    + " the negatives' distribution is drawn.</p>\n");
        }
    }

    private static void miningRow(StringBuilder sb, String k, String v) {
        sb.append("<tr><td>").append(esc(k)).append("</td><td>").append(v).append("</td></tr>\n");
    }

    /**
     * Half-width of the interval chart's axis: 1.15 × the largest of |Δ|, |low|, |high|, rounded up to 1, 2, 2.5 or 5
     * times a power of ten (at least 1e-4), so the ticks at ±half and ±full read as round numbers.
     */
    static double axisExtent(MetricComparison p) {
        double x = Math.max(1e-4, 1.15 * Math.max(Math.abs(finiteOr(p.delta(), 0)),
                Math.max(Math.abs(finiteOr(p.ciLow(), 0)), Math.abs(finiteOr(p.ciHigh(), 0)))));
        double pow = Math.pow(10, Math.floor(Math.log10(x)));
        double f = x / pow;
        double nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nf * pow;
    }

    private static double finiteOr(double v, double dflt) {
        return Double.isFinite(v) ? v : dflt;
    }

    /**
     * @param result an evaluation result
     * @return a complete HTML document: the primary metric, then a grid of every mean (one row per measure, one
     *     column per cutoff)
     */
    public static String render(EvaluationResult result) {
        StringBuilder sb = head(result.name());
        sb.append("<h1>").append(esc(result.name())).append("</h1>\n<div class=\"headline\"><div class=\"big\">")
                .append(esc(result.primary().key())).append(" = ").append(MarkdownReport.fmt(result.primaryValue()))
                .append("</div>\n<div>").append(esc(MarkdownReport.countsLine(result.counts()))).append("</div></div>\n");
        TreeSet<Integer> cutoffs = new TreeSet<>();
        Map<MetricType, Map<Integer, Double>> rows = new TreeMap<>();
        for (Map.Entry<Metric, Double> e : result.mean().entrySet()) {
            cutoffs.add(e.getKey().k());
            rows.computeIfAbsent(e.getKey().type(), t -> new TreeMap<>()).put(e.getKey().k(), e.getValue());
        }
        sb.append("<table class=\"grid\"><thead><tr><th>measure</th>");
        cutoffs.forEach(k -> sb.append("<th>@").append(k).append("</th>"));
        sb.append("</tr></thead><tbody>\n");
        rows.forEach((type, byK) -> {
            sb.append("<tr><th>").append(esc(type.prefix())).append("</th>");
            for (int k : cutoffs) {
                Double v = byK.get(k);
                boolean primary = result.primary().type() == type && result.primary().k() == k;
                sb.append(v == null ? "<td></td>" : "<td class=\"undecided" + (primary ? " primary" : "")
                        + "\"><div class=\"v\">" + MarkdownReport.fmt(v) + "</div></td>");
            }
            sb.append("</tr>\n");
        });
        return sb.append("</tbody></table>\n<p class=\"note\">Means over the evaluated queries; the outlined cell is"
                + " the primary metric. Written by bge4j; no scripts, no network.</p>\n</body>\n</html>\n").toString();
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
     * Writes a comparison page with its optional sections atomically.
     *
     * @param r the comparison and what goes with it
     * @param file the target file
     */
    public static void write(ComparisonReport r, Path file) {
        ReportFiles.writeAtomically(file, render(r));
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

    private static String deltaSpan(double delta) {
        String cls = delta > 0 ? "pos" : delta < 0 ? "neg" : "";
        return "<span class=\"" + cls + "\">" + MarkdownReport.signed(delta) + "</span>";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        return io.bge4j.core.HtmlEscaper.escape(s);
    }
}
