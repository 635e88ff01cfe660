package io.bge4j.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * partial file: the content goes to a temporary file in the same folder, is flushed to disk, and
 * is then moved over the target (atomically where the file system allows). Every file bge4j
 * writes goes through here or follows the same rule.
 *
 * <p>Temporary files are created with the default permissions of the process (its umask
 * decides), not with the owner-only mode of {@link Files#createTempFile}, so a written file has
 * the same mode as any file the process creates itself.
 *
 * <p>Usage: {@code AtomicFiles.write(Path.of("out.jsonl"), out -> out.write(bytes));}
 */
public final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the content.
         *
         * @param out a buffered stream to the temporary file (closed by the caller; closing it here is harmless)
         * @throws IOException on a write failure
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} through a temporary sibling that is moved into place.
     *
     * @param file the target; its folder is created if needed
     * @param content writes the bytes
     * @throws Bge4jException naming the file when it cannot be written
     */
    public static void write(Path file, Content content) {
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = newTempSibling(target);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(new KeepOpen(Channels.newOutputStream(ch)), 1 << 16);
                content.writeTo(out);   // may close out (a wrapping Writer often does): the channel stays open
                out.flush();
                ch.force(true);
            }
            moveIntoPlace(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new Bge4jException("cannot write " + file + ": " + e.getMessage()
                    + "; check that the folder exists and is writable", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Writes UTF-8 text atomically (see {@link #write(Path, Content)}).
     *
     * @param file the target
     * @param text UTF-8 text
     */
    public static void writeString(Path file, String text) {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Creates an empty, hidden temporary file next to {@code target} ({@code .name.<random>.tmp})
     * with the process's default permissions, for writers that stream into it themselves and then
     * call {@link #moveIntoPlace(Path, Path)}.
     *
     * @param target the file that will be replaced; its folder must exist
     * @return the new, empty temporary file
     * @throws IOException when it cannot be created
     */
    public static Path newTempSibling(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        for (int attempt = 0; ; attempt++) {
            byte[] r = new byte[6];
            RANDOM.nextBytes(r);
            Path tmp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(r) + ".tmp");
            try {
                // no file attributes: the mode is 0666 minus the umask, like any file the process creates
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Moves a finished temporary file over {@code target}: atomically where the file system
     * supports it, else a plain replace.
     *
     * @param tmp the finished temporary file (same folder as the target)
     * @param target the file to create or replace
     * @throws IOException when the move fails
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes a file or a folder with everything in it; nothing happens when it does not exist.
     * Only for folders bge4j itself created (temporaries, its own checkpoints): saving a model
     * never deletes a folder (see {@link BgeModel#save(Path)}).
     *
     * @param path the file or folder
     * @throws IOException when something cannot be deleted
     */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(path)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    /** Passes writes through; close() only flushes, so the channel can still be forced to disk. */
    private static final class KeepOpen extends OutputStream {
        private final OutputStream out;

        KeepOpen(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the failure itself is reported by the caller
            }
        }
    }
}
