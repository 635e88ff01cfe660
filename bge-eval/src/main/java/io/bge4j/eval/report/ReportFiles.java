package io.bge4j.eval.report;

import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new Bge4jException("cannot write " + file + ": " + e.getMessage()
                    + "; check that the directory is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
