package io.bge4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads FlagEmbedding training JSONL: one JSON object per line with {@code query} (string),
 * {@code pos} (non-empty list of strings), and optionally {@code neg} (list of strings),
 * {@code pos_scores} / {@code neg_scores} (one number per passage), {@code prompt} and {@code type}
 * (strings). Unknown fields are ignored; blank lines are skipped. Files ending in {@code .gz} are
 * decompressed on the fly.
 *
 * <p>Reading streams: {@link #open(Path)} holds one line in memory at a time, so a multi-GB file can
 * be counted or filtered without loading it. Bytes are decoded as strict UTF-8 (malformed input is
 * an error, never silently replaced) and a line longer than {@link Builder#maxLineBytes(int)} is an
 * error.
 *
 * <p>In strict mode (the default) the first bad line throws a
 * {@link io.bge4j.core.DataFormatException} naming the file, the 1-based line and the field. In
 * lenient mode bad lines are skipped, counted in the {@link JsonlReadReport} and logged (the first
 * few at WARN), never dropped silently.
 *
 * <p>Usage:
 * <pre>{@code
 * FlagJsonlReader reader = FlagJsonlReader.builder().lenient(true).build();
 * JsonlReadResult r = reader.read(Path.of("train.jsonl"));
 * log.info("{} examples, {} bad lines skipped", r.trainingSet().size(), r.report().skippedLines());
 * try (JsonlExampleStream s = reader.open(Path.of("huge.jsonl"))) {
 *     long withNegatives = s.stream().filter(e -> !e.negatives().isEmpty()).count();
 * }
 * }</pre>
 */
public final class FlagJsonlReader {
    /** Default longest accepted line: 16 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;

    private final boolean lenient;
    private final int maxLineBytes;
    private final String datasetName;
    private final int maxRecordedErrors;
    private final JsonFactory jsonFactory;

    private FlagJsonlReader(Builder b) {
        this.lenient = b.lenient;
        this.maxLineBytes = b.maxLineBytes;
        this.datasetName = b.datasetName;
        this.maxRecordedErrors = b.maxRecordedErrors;
        this.jsonFactory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.max(maxLineBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .build())
                .build();
    }

    /** @return a builder: strict, 16 MiB lines, data set named after the file */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether bad lines are skipped and counted instead of thrown */
    public boolean lenient() {
        return lenient;
    }

    /** @return the longest accepted line, in bytes (excluding the line break) */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /**
     * Opens a streaming view of a file. Close it (try-with-resources) when done.
     *
     * @param file the JSONL file
     * @return an iterator over its examples
     */
    public JsonlExampleStream open(Path file) {
        String name = datasetName != null ? datasetName : datasetNameOf(file);
        InputStream in;
        try {
            in = Files.newInputStream(file);
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot open training file " + file + ": " + e.getMessage()
                    + "; check that it exists and is readable", e);
        }
        return new JsonlExampleStream(file, name, in, jsonFactory, lenient, maxLineBytes, maxRecordedErrors);
    }

    /**
     * Reads a whole file into memory.
     *
     * @param file the JSONL file
     * @return the examples (named after the file, or the configured data set name) and the report
     */
    public JsonlReadResult read(Path file) {
        try (JsonlExampleStream s = open(file)) {
            List<TrainingExample> all = new ArrayList<>();
            while (s.hasNext()) {
                all.add(s.next());
            }
            return new JsonlReadResult(TrainingSet.of(s.datasetName(), all), s.report());
        }
    }

    /**
     * Reads every {@code *.jsonl} / {@code *.jsonl.gz} file of a directory (not its subdirectories),
     * in file-name order, each as one named data set.
     *
     * @param directory the directory
     * @return one result per file; each set (and each example's source) is named after its file
     * @throws Bge4jException when the directory cannot be listed or holds no JSONL file
     */
    public List<JsonlReadResult> readDirectory(Path directory) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(p) && (n.endsWith(".jsonl") || n.endsWith(".jsonl.gz"))) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot list training directory " + directory + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new Bge4jException("no .jsonl or .jsonl.gz file in " + directory
                    + "; put one FlagEmbedding JSONL file per data set there");
        }
        Collections.sort(files);
        FlagJsonlReader perFile = datasetName == null ? this
                : builder().lenient(lenient).maxLineBytes(maxLineBytes).maxRecordedErrors(maxRecordedErrors).build();
        List<JsonlReadResult> out = new ArrayList<>(files.size());
        for (Path f : files) {
            out.add(perFile.read(f));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * @param file a path such as {@code data/msmarco.jsonl.gz}
     * @return the data set name it implies ({@code msmarco})
     */
    public static String datasetNameOf(Path file) {
        String n = file.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
            lower = lower.substring(0, lower.length() - 3);
        }
        if (lower.endsWith(".jsonl")) {
            n = n.substring(0, n.length() - 6);
        } else if (lower.endsWith(".json")) {
            n = n.substring(0, n.length() - 5);
        }
        return n;
    }

    /**
     * Options of a {@link FlagJsonlReader}; {@link #build()} validates them.
     *
     * <p>Usage: {@code FlagJsonlReader.builder().lenient(true).maxLineBytes(1 << 20).build()}
     */
    public static final class Builder {
        private boolean lenient;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private String datasetName;
        private int maxRecordedErrors = 100;

        private Builder() {
        }

        /**
         * @param lenient true to skip and count bad lines; false (default) to throw on the first
         * @return this builder
         */
        public Builder lenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        /**
         * @param maxLineBytes the longest accepted line in bytes, at least 2
         * @return this builder
         */
        public Builder maxLineBytes(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
            return this;
        }

        /**
         * @param datasetName the name given to the set and to each example's source; null (default)
         *     means the file name without {@code .jsonl}
         * @return this builder
         */
        public Builder datasetName(String datasetName) {
            this.datasetName = datasetName;
            return this;
        }

        /**
         * @param maxRecordedErrors how many skipped-line errors a lenient report keeps (all are
         *     counted), at least 0
         * @return this builder
         */
        public Builder maxRecordedErrors(int maxRecordedErrors) {
            this.maxRecordedErrors = maxRecordedErrors;
            return this;
        }

        /**
         * @return the reader
         * @throws IllegalArgumentException naming the bad option
         */
        public FlagJsonlReader build() {
            if (maxLineBytes < 2) {
                throw new IllegalArgumentException("maxLineBytes must be at least 2, was " + maxLineBytes);
            }
            if (maxRecordedErrors < 0) {
                throw new IllegalArgumentException("maxRecordedErrors must be >= 0, was " + maxRecordedErrors);
            }
            if (datasetName != null && datasetName.isBlank()) {
                throw new IllegalArgumentException("datasetName must not be blank (use null for the file name)");
            }
            return new FlagJsonlReader(this);
        }
    }
}
