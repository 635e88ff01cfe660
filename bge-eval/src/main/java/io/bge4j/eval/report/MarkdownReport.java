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
     * @return a Markdown section: the metric table, then the most improved and degraded queries
     */
    public static String render(Comparison c) {
        StringBuilder sb = new StringBuilder();
        int pct = (int) Math.round(c.confidence() * 100);
        sb.append("## ").append(inline(c.baseName())).append(" vs ").append(inline(c.tunedName()))
                .append(" (").append(c.queryIds().size()).append(" queries)\n\n");
        sb.append("| metric | base | tuned | Δ | ").append(pct).append("% CI of Δ | p | wins/ties/losses |\n");
        sb.append("|---|---:|---:|---:|---|---:|---|\n");
        for (MetricComparison mc : c.metrics()) {
            sb.append("| ").append(mc.metric().key())
                    .append(" | ").append(fmt(mc.base()))
                    .append(" | ").append(fmt(mc.tuned()))
                    .append(" | ").append(signed(mc.delta()))
                    .append(" | [").append(signed(mc.ciLow())).append(", ").append(signed(mc.ciHigh())).append(']')
                    .append(" | ").append(pValue(mc.pValue()))
                    .append(" | ").append(mc.wins()).append('/').append(mc.ties()).append('/').append(mc.losses())
                    .append(" |\n");
        }
        sb.append("\n").append(pct).append("% CI: paired bootstrap, ").append(c.bootstrapSamples())
                .append(" resamples; p: two-sided paired randomisation test, ").append(c.permutations())
                .append(" permutations; seed ").append(c.seed()).append("; * = p < 0.05.\n");
        changes(sb, "Most improved", c.primary(), c.mostImproved());
        changes(sb, "Most degraded", c.primary(), c.mostDegraded());
        return sb.toString();
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
     * Writes an evaluation report atomically.
     *
     * @param result the result
     * @param file the target file
     */
    public static void write(EvaluationResult result, Path file) {
        ReportFiles.writeAtomically(file, render(result));
    }

    private static void changes(StringBuilder sb, String title, Metric primary, List<QueryChange> list) {
        if (list.isEmpty()) {
            return;
        }
        sb.append("\n### ").append(title).append(" (").append(primary.key()).append(")\n\n");
        sb.append("| query | text | base | tuned | Δ |\n|---|---|---:|---:|---:|\n");
        for (QueryChange q : list) {
            sb.append("| ").append(inline(q.queryId())).append(" | ").append(inline(q.text()))
                    .append(" | ").append(fmt(q.base())).append(" | ").append(fmt(q.tuned()))
                    .append(" | ").append(signed(q.delta())).append(" |\n");
        }
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

    static String pValue(double p) {
        String s = p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
        return p < 0.05 ? s + " *" : s;
    }

    /** Makes text safe inside a table cell: no pipes or line breaks. */
    static String inline(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }
}
