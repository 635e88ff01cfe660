package io.bge4j.train.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What happened to one file bge4j meant to write: written, replaced (an earlier bge4j file), or left
 * alone because the file there was not written by bge4j.
 *
 * <p>Usage: {@code if (f.status() == OutputFile.Status.SKIPPED) log.warn(f.reason());}
 *
 * @param path the target file
 * @param status what happened
 * @param reason why, in a sentence (empty when written)
 */
public record OutputFile(Path path, Status status, String reason) {

    /**
     * What happened to a file.
     *
     * <p>Usage: {@code if (f.status() == OutputFile.Status.SKIPPED) ...}
     */
    public enum Status {
        /** The file did not exist and was written. */
        WRITTEN,
        /** A file bge4j had written before was replaced. */
        REPLACED,
        /** A file bge4j did not write was there; it was left unchanged and nothing was written. */
        SKIPPED
    }

    /** Requires every part. */
    public OutputFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }

    /** @return whether the content is now on disk */
    public boolean written() {
        return status != Status.SKIPPED;
    }
}
