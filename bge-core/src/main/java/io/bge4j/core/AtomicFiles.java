package io.bge4j.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * partial file: the content goes to a temporary file in the same folder, which is then moved over
 * the target (atomically where the file system allows). Every file bge4j writes goes through here
 * or follows the same rule.
 *
 * <p>Usage: {@code AtomicFiles.write(Path.of("out.jsonl"), out -> out.write(bytes));}
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out a buffered stream to the temporary file (closed by the caller)
         * @throws IOException on a write failure
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * @param file the target; its folder is created if needed
     * @param content writes the bytes
     * @throws Bge4jException naming the file when it cannot be written
     */
    public static void write(Path file, Content content) {
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new Bge4jException("cannot write " + file + ": " + e.getMessage()
                    + "; check that the folder exists and is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the failure itself is reported above
                }
            }
        }
    }

    /**
     * @param file the target
     * @param text UTF-8 text
     */
    public static void writeString(Path file, String text) {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes a file or a folder with everything in it; nothing happens when it does not exist.
     *
     * @param path the file or folder
     * @throws IOException when something cannot be deleted
     */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(path)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
