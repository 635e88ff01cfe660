package io.bge4j.examples.cli;

import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Small helpers shared by the CLI commands: input checks that name the missing file, and plain-text tables.
 *
 * <p>Usage: {@code CliSupport.requireFile(input, "training"); out.print(CliSupport.metricTable(result.mean()));}
 */
final class CliSupport {

    private CliSupport() {}

    /**
     * @param file a file the command reads
     * @param what what it holds, for the message ({@code "qrels"}, {@code "training"})
     * @throws IllegalArgumentException {@code "<what> file not found: <file>"} when it is not a regular file
     */
    static void requireFile(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(what + " file is a directory, expected a file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " file not found: " + file);
        }
    }

    /**
     * @param dir a directory the command reads
     * @param what what it holds, for the message
     * @throws IllegalArgumentException {@code "<what> directory not found: <dir>"} when it is not a directory
     */
    static void requireDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(what + " directory not found: " + dir);
        }
    }

    /**
     * @param value a value or NaN
     * @return four decimals, or {@code n/a}
     */
    static String fmt(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "n/a";
    }

    /**
     * @param value a value or NaN
     * @return four decimals with a sign, or {@code n/a}
     */
    static String signed(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%+.4f", value) : "n/a";
    }

    /**
     * A metric grid: one row per measure, one column per cutoff, e.g.
     * <pre>
     * metric         @1      @10
     * ndcg       0.5000   0.6131
     * </pre>
     *
     * @param values metric → value
     * @return the table, each line ending with a newline
     */
    static String metricTable(Map<Metric, Double> values) {
        TreeSet<Integer> cutoffs = new TreeSet<>();
        Map<MetricType, Map<Integer, Double>> rows = new TreeMap<>();
        values.forEach((m, v) -> {
            cutoffs.add(m.k());
            rows.computeIfAbsent(m.type(), t -> new TreeMap<>()).put(m.k(), v);
        });
        List<String> header = new ArrayList<>();
        header.add("metric");
        cutoffs.forEach(k -> header.add("@" + k));
        List<List<String>> body = new ArrayList<>();
        rows.forEach((type, byK) -> {
            List<String> row = new ArrayList<>();
            row.add(type.prefix());
            for (int k : cutoffs) {
                Double v = byK.get(k);
                row.add(v == null ? "" : fmt(v));
            }
            body.add(row);
        });
        return table(header, body);
    }

    /**
     * Renders rows as aligned columns: the first column left-aligned, the others right-aligned.
     *
     * @param header column titles
     * @param rows the cells, each row as long as the header
     * @return the table, each line ending with a newline
     */
    static String table(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < header.size(); c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header, width);
        for (List<String> r : rows) {
            appendRow(sb, r, width);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            if (c == 0) {
                line.append(cell).append(" ".repeat(width[c] - cell.length()));
            } else {
                line.append("  ").append(" ".repeat(width[c] - cell.length())).append(cell);
            }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    /**
     * @param evaluated queries scored
     * @param withoutRelevant judged queries excluded for having no relevant document
     * @param missingFromRun judged queries absent from the run
     * @param notInQrels run queries without judgements
     * @return one sentence with the counts that are not zero
     */
    static String countsLine(int evaluated, int withoutRelevant, int missingFromRun, int notInQrels) {
        StringBuilder sb = new StringBuilder("queries evaluated: ").append(evaluated);
        if (withoutRelevant > 0) {
            sb.append("; excluded (no relevant document): ").append(withoutRelevant);
        }
        if (missingFromRun > 0) {
            sb.append("; judged but missing from the run: ").append(missingFromRun);
        }
        if (notInQrels > 0) {
            sb.append("; in the run without judgements (ignored): ").append(notInQrels);
        }
        return sb.toString();
    }
}
