package io.bge4j.data;

import io.bge4j.core.DataFormatException;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts from reading one JSONL file. In lenient mode {@code skippedLines} says how many bad lines
 * were left out and {@code errors} holds the first of them (up to the reader's
 * {@code maxRecordedErrors}), each naming its line and field.
 *
 * <p>Usage: {@code if (report.skippedLines() > 0) log.warn("{}", report.errors().get(0).getMessage());}
 *
 * @param file the file read
 * @param lines physical lines seen
 * @param examples examples produced
 * @param blankLines empty or whitespace-only lines (ignored, not errors)
 * @param skippedLines bad lines skipped (always 0 in strict mode)
 * @param bytes bytes read from the (decompressed) input
 * @param errors the first recorded errors of skipped lines; unmodifiable
 */
public record JsonlReadReport(Path file, long lines, long examples, long blankLines, long skippedLines,
                              long bytes, List<DataFormatException> errors) {

    /** Makes {@code errors} unmodifiable. */
    public JsonlReadReport {
        errors = List.copyOf(errors);
    }

    /** @return whether every non-blank line became an example */
    public boolean clean() {
        return skippedLines == 0;
    }
}
