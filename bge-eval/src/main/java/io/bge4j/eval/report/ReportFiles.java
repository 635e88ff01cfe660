package io.bge4j.eval.report;

import io.bge4j.core.AtomicFiles;

import java.nio.file.Path;

/**
 * Writes report files atomically: to a temporary file in the target directory, then moved into place,
 * so a reader never sees half a report.
 *
 * <p>Usage: {@code ReportFiles.writeAtomically(Path.of("report.md"), MarkdownReport.render(comparison));}
 */
public final class ReportFiles {
    private ReportFiles() {
    }

    /**
     * @param file the target file; its directory is created if needed
     * @param content the UTF-8 text to write
     */
    public static void writeAtomically(Path file, String content) {
        AtomicFiles.writeString(file, content);
    }
}
