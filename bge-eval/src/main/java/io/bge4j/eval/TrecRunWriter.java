package io.bge4j.eval;

import io.bge4j.eval.report.ReportFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes runs as TREC run lines ({@code qid Q0 docid rank score tag}), ranks in trec_eval order.
 * Scores are written with {@link Double#toString(double)} so that reading the file back gives the same
 * ranking (no ties are created by rounding).
 *
 * <p>Usage: {@code TrecRunWriter.write(Path.of("run.trec"), result.run().orElseThrow(), "bge4j");}
 */
public final class TrecRunWriter {
    private TrecRunWriter() {
    }

    /**
     * @param run the run
     * @param tag the run tag (last column), without whitespace
     * @return one line per (query, document), without line terminators
     */
    public static List<String> lines(Run run, String tag) {
        String t = checkTag(tag);
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<ScoredDoc>> e : run.rankings().entrySet()) {
            int rank = 1;
            for (ScoredDoc d : e.getValue()) {
                lines.add(e.getKey() + " Q0 " + d.docId() + " " + rank++ + " " + d.score() + " " + t);
            }
        }
        return lines;
    }

    /**
     * Writes the run atomically.
     *
     * @param file the target file
     * @param run the run
     * @param tag the run tag, without whitespace
     */
    public static void write(Path file, Run run, String tag) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines(run, tag)) {
            sb.append(line).append('\n');
        }
        ReportFiles.writeAtomically(file, sb.toString());
    }

    private static String checkTag(String tag) {
        if (tag == null || tag.isEmpty() || tag.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("run tag must be a non-empty word without whitespace, was '"
                    + tag + "'");
        }
        return tag;
    }
}
