package io.bge4j.eval.report;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import io.bge4j.eval.QueryChange;
import io.bge4j.eval.QueryCounts;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Markdown tables of results and comparisons, for terminals, pull requests and notebooks.
 * Values are printed with 4 decimals; a p-value below 0.05 is marked with {@code *}.
 *
 * <p>Usage: {@code System.out.println(MarkdownReport.render(comparison));}
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    /**
     * @param result an evaluation result
     * @return a Markdown section with one row per metric
     */
    public static String render(EvaluationResult result) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(inline(result.name())).append("\n\n");
        sb.append("| metric | value |\n|---|---:|\n");
        for (Map.Entry<Metric, Double> e : result.mean().entrySet()) {
            String key = e.getKey().equals(result.primary()) ? "**" + e.getKey().key() + "**" : e.getKey().key();
            sb.append("| ").append(key).append(" | ").append(fmt(e.getValue())).append(" |\n");
        }
        sb.append('\n').append(countsLine(result.counts())).append('\n');
        return sb.toString();
    }

    /**
     * @param c a comparison
     * @return a Markdown section: the primary metric with its interval, the metric grid, the changed queries
     */
    public static String render(Comparison c) {
        return render(ComparisonReport.of(c));
    }

    /**
     * The comparison page as Markdown: the primary metric and its confidence interval first, then a grid with
     * one row per measure and one column per cutoff (tuned value and change; ↑ or ↓ when the interval excludes
     * 0, * when p &lt; 0.05), then each most improved and degraded query with its relevant documents and, when
     * the runs are given, the top retrieved documents before and after; then mixing and mining reports.
     *
     * @param r the comparison and what goes with it
     * @return the Markdown
     */
    public static String render(ComparisonReport r) {
        Comparison c = r.comparison();
        StringBuilder sb = new StringBuilder();
        int pct = (int) Math.round(c.confidence() * 100);
        sb.append("## ").append(inline(c.baseName())).append(" vs ").append(inline(c.tunedName()))
                .append(" (").append(c.queryIds().size()).append(" queries)\n\n");
        MetricComparison p = c.metric(c.primary());
        sb.append("**").append(c.primary().key()).append(": ").append(fmt(p.base())).append(" → ").append(fmt(p.tuned()))
                .append(" (").append(signed(p.delta())).append("), ").append(pct).append("% CI [")
                .append(signed(p.ciLow())).append(", ").append(signed(p.ciHigh())).append("], p = ")
                .append(pValue(p.pValue())).append("**; ").append(p.wins()).append(" better, ").append(p.ties())
                .append(" unchanged, ").append(p.losses()).append(" worse. ")
                .append(switch (ComparisonView.verdict(p)) {
                    case "improved" -> "The interval lies above 0.";
                    case "degraded" -> "The interval lies below 0.";
                    default -> "The interval includes 0: not distinguishable from no change.";
                }).append("\n\n");
        ComparisonView.Grid g = ComparisonView.grid(c);
        sb.append("| measure |");
        g.cutoffs().forEach(k -> sb.append(" @").append(k).append(" |"));
        sb.append("\n|---|");
        g.cutoffs().forEach(k -> sb.append("---:|"));
        sb.append('\n');
        for (io.bge4j.eval.MetricType t : g.rows()) {
            sb.append("| ").append(t.prefix()).append(" |");
            for (int k : g.cutoffs()) {
                MetricComparison mc = g.cell(t, k);
                if (mc == null) {
                    sb.append(" |");
                    continue;
                }
                String mark = switch (ComparisonView.verdict(mc)) {
                    case "improved" -> " ↑";
                    case "degraded" -> " ↓";
                    default -> "";
                };
                String cell = fmt(mc.tuned()) + " (" + signed(mc.delta()) + (mc.pValue() < 0.05 ? "*" : "") + ")" + mark;
                sb.append(' ').append(mc.metric().equals(c.primary()) ? "**" + cell + "**" : cell).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nCells: tuned value (change); ↑/↓ the ").append(pct).append("% CI of the change (paired bootstrap, ")
                .append(c.bootstrapSamples()).append(" resamples) lies above/below 0; * p < 0.05 (two-sided paired"
                        + " randomisation test, ").append(c.permutations()).append(" permutations); seed ")
                .append(c.seed()).append(".\n");
        changes(sb, r, "Most improved", c.mostImproved());
        changes(sb, r, "Most degraded", c.mostDegraded());
        r.optionalMixing().ifPresent(m -> sb.append("\n### Training data mix\n\n").append(m.toMarkdown()));
        r.optionalMining().ifPresent(m -> mining(sb, m));
        return sb.toString();
    }

    private static void changes(StringBuilder sb, ComparisonReport r, String title, List<QueryChange> list) {
        if (list.isEmpty()) {
            return;
        }
        Comparison c = r.comparison();
        sb.append("\n### ").append(title).append(" (").append(c.primary().key()).append(")\n\n");
        for (ComparisonView.Detail d : ComparisonView.details(r, list)) {
            QueryChange q = d.change();
            sb.append("- **").append(inline(q.queryId())).append("** ").append(inline(q.text())).append(": ")
                    .append(fmt(q.base())).append(" → ").append(fmt(q.tuned())).append(" (").append(signed(q.delta()))
                    .append(")\n");
            for (ComparisonView.Relevant rel : d.relevant()) {
                sb.append("  - relevant `").append(inline(rel.docId())).append('`');
                if (rel.rankBefore() >= 0) {
                    sb.append(", rank ").append(rank(rel.rankBefore())).append(" → ").append(rank(rel.rankAfter()));
                }
                sb.append(rel.text().isEmpty() ? "" : ": " + inline(rel.text())).append('\n');
            }
            if (r.hasRankings()) {
                hits(sb, "before", d.before());
                hits(sb, "after", d.after());
            }
        }
    }

    private static String rank(int r) {
        return r == 0 ? "not retrieved" : String.valueOf(r);
    }

    private static void hits(StringBuilder sb, String label, List<ComparisonView.Hit> hits) {
        sb.append("  - ").append(label).append(':');
        if (hits.isEmpty()) {
            sb.append(" (no ranking)");
        }
        for (ComparisonView.Hit h : hits) {
            sb.append(' ').append(h.rank()).append(". ").append(h.relevant() ? "✓ " : "").append('`')
                    .append(inline(h.docId())).append("` ").append(String.format(Locale.ROOT, "%.3f", h.score()));
            if (!h.text().isEmpty()) {
                sb.append(' ').append(inline(h.text()));
            }
            sb.append(';');
        }
        sb.append('\n');
    }

    private static void mining(StringBuilder sb, MiningSummary m) {
        sb.append("\n### Hard-negative mining\n\n").append(m.report().summary()).append(".\n\n")
                .append("| negatives | queries |\n|---:|---:|\n");
        m.negativesPerQuery().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        if (!m.negativeScores().isEmpty()) {
            sb.append("\nNegative scores: ").append(stats(m.negativeScores())).append('\n');
        }
        if (!m.positiveScores().isEmpty()) {
            sb.append("Positive scores: ").append(stats(m.positiveScores())).append('\n');
        }
    }

    /** count, mean, min, median, max. */
    static String stats(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = java.util.Arrays.stream(s).average().orElse(Double.NaN);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return String.format(Locale.ROOT, "%d, mean %.3f, min %.3f, median %.3f, max %.3f", s.length, mean, s[0],
                median, s[s.length - 1]);
    }

    /**
     * Writes a comparison report atomically.
     *
     * @param c the comparison
     * @param file the target file
     */
    public static void write(Comparison c, Path file) {
        ReportFiles.writeAtomically(file, render(c));
    }

    /**
     * Writes a comparison report with its optional sections atomically.
     *
     * @param r the comparison and what goes with it
     * @param file the target file
     */
    public static void write(ComparisonReport r, Path file) {
        ReportFiles.writeAtomically(file, render(r));
    }

    /**
     * Writes an evaluation report atomically.
     *
     * @param result the result
     * @param file the target file
     */
    public static void write(EvaluationResult result, Path file) {
        ReportFiles.writeAtomically(file, render(result));
    }

    static String countsLine(QueryCounts c) {
        StringBuilder sb = new StringBuilder("Evaluated queries: ").append(c.evaluated());
        if (c.withoutRelevant() > 0) {
            sb.append("; excluded without relevant documents: ").append(c.withoutRelevant());
        }
        if (c.missingFromRun() > 0) {
            sb.append("; judged but missing from the run: ").append(c.missingFromRun());
        }
        if (c.notInQrels() > 0) {
            sb.append("; in the run without judgements (ignored): ").append(c.notInQrels());
        }
        return sb.append('.').toString();
    }

    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    static String signed(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.4f", v) : "n/a";
    }

    /** Drops trailing zeros after the decimal point ("+0.2500" → "+0.25", "+1.0000" → "+1"). */
    static String trim(String number) {
        return number.contains(".") ? number.replaceAll("0+$", "").replaceAll("\\.$", "") : number;
    }

    static String pValue(double p) {
        String s = p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
        return p < 0.05 ? s + " *" : s;
    }

    /** Makes text safe inside a table cell: no pipes or line breaks. */
    static String inline(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }
}
