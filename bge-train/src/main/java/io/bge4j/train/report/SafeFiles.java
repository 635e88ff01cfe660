package io.bge4j.train.report;

import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a report file so that nothing bge4j did not create is ever replaced, the new file gets the
 * permissions the user's umask gives a new file (the temporary file is created with the default
 * permissions, not the 0600 of {@code Files.createTempFile}), and a reader sees the old or the whole
 * new content (temporary file in the same folder, then an atomic move).
 *
 * <p>Usage: {@code SafeFiles.write(dir.resolve("advice.md"), text, old -> old.startsWith(MARK), "advice")}
 */
public final class SafeFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SafeFiles.class);

    private SafeFiles() {}

    /**
     * @param file the target
     * @param content UTF-8 text
     * @param ours decides from the existing file's text whether bge4j wrote it
     * @param what a name for messages ("model card")
     * @return what happened
     */
    public static OutputFile write(Path file, String content, Predicate<String> ours, String what) {
        boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        if (existed) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return skipped(file, file + " exists and is not a regular file; the " + what + " was not written");
            }
            String old;
            try {
                old = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException | java.io.UncheckedIOException e) {
                return skipped(file, file + " exists and cannot be read as UTF-8 text (" + e.getMessage()
                        + "), so bge4j cannot tell whether it wrote it; left unchanged, the " + what + " was not written");
            }
            if (!ours.test(old)) {
                return skipped(file, file + " exists and was not written by bge4j; left unchanged, the " + what
                        + " was not written (move the file away to get it)");
            }
        }
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot write the " + what + " " + file + ": " + e.getMessage()
                    + "; check that the folder is writable", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the failure itself is reported above
            }
        }
        return new OutputFile(file, existed ? OutputFile.Status.REPLACED : OutputFile.Status.WRITTEN, "");
    }

    private static OutputFile skipped(Path file, String reason) {
        LOG.warn("{}", reason);
        return new OutputFile(file, OutputFile.Status.SKIPPED, reason);
    }
}
