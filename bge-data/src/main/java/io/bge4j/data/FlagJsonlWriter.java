package io.bge4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes FlagEmbedding training JSONL ({@code query}, {@code pos}, {@code neg}, and, when present,
 * {@code pos_scores}, {@code neg_scores}, {@code prompt}, {@code type}), one object per line, UTF-8,
 * non-ASCII characters unescaped. The file is written to a temporary file next to the target and
 * moved into place atomically by {@link #commit()}, so readers never see half a file; closing
 * without committing deletes the temporary file and leaves any existing target untouched. A target
 * ending in {@code .gz} is gzip-compressed.
 *
 * <p>Usage:
 * <pre>{@code
 * FlagJsonlWriter.writeAll(Path.of("mined.jsonl"), result.examples());
 * // or, streaming:
 * try (FlagJsonlWriter w = FlagJsonlWriter.open(Path.of("out.jsonl"))) {
 *     for (TrainingExample e : examples) w.write(e);
 *     w.commit();
 * }
 * }</pre>
 */
public final class FlagJsonlWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlagJsonlWriter.class);

    private final Path target;
    private final Path temp;
    private final Writer writer;
    private final JsonGenerator generator;
    private long written;
    private boolean finished;

    private FlagJsonlWriter(Path target) throws IOException {
        this.target = target;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.temp = AtomicFiles.newTempSibling(target.toAbsolutePath());
        OutputStream out = Files.newOutputStream(temp);
        if (target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
            out = new GZIPOutputStream(out, 1 << 16);
        }
        // REPORT: an unpaired surrogate is an error, not a silent '?'
        this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        this.generator = new JsonFactory().createGenerator(writer);
        this.generator.setRootValueSeparator(null);
    }

    /**
     * Starts writing {@code target} (through a temporary file).
     *
     * @param target the final file
     * @return the writer; call {@link #commit()} then close it
     */
    public static FlagJsonlWriter open(Path target) {
        try {
            return new FlagJsonlWriter(target);
        } catch (IOException e) {
            throw new Bge4jException("cannot create " + target + ": " + e.getMessage()
                    + "; check that the directory is writable", e);
        }
    }

    /**
     * Writes all examples and commits atomically.
     *
     * @param target the final file
     * @param examples the examples, in order
     * @return the number of examples written
     */
    public static long writeAll(Path target, Iterable<TrainingExample> examples) {
        try (FlagJsonlWriter w = open(target)) {
            for (TrainingExample e : examples) {
                w.write(e);
            }
            w.commit();
            return w.written;
        }
    }

    /**
     * Appends one example as one line.
     *
     * @param e the example
     */
    public void write(TrainingExample e) {
        if (finished) {
            throw new IllegalStateException("writer for " + target + " is already committed or closed");
        }
        checkUnicode(e.query(), "query");
        e.positives().forEach(t -> checkUnicode(t, "pos"));
        e.negatives().forEach(t -> checkUnicode(t, "neg"));
        if (e.prompt() != null) {
            checkUnicode(e.prompt(), "prompt");
        }
        if (e.type() != null) {
            checkUnicode(e.type(), "type");
        }
        try {
            generator.writeStartObject();
            generator.writeStringField("query", e.query());
            writeStrings("pos", e.positives());
            writeStrings("neg", e.negatives());
            if (e.positiveScores() != null) {
                writeNumbers("pos_scores", e.positiveScores());
            }
            if (e.negativeScores() != null) {
                writeNumbers("neg_scores", e.negativeScores());
            }
            if (e.prompt() != null) {
                generator.writeStringField("prompt", e.prompt());
            }
            if (e.type() != null) {
                generator.writeStringField("type", e.type());
            }
            generator.writeEndObject();
            generator.writeRaw('\n');
            written++;
        } catch (CharacterCodingException ex) {
            throw new Bge4jException("example " + (written + 1) + " for " + target
                    + " contains text that is not valid Unicode (an unpaired surrogate); fix the text", ex);
        } catch (IOException ex) {
            throw new Bge4jException("cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }

    /** @return examples written so far */
    public long written() {
        return written;
    }

    /** Flushes, closes and atomically moves the temporary file onto the target. */
    public void commit() {
        if (finished) {
            throw new IllegalStateException("writer for " + target + " is already committed or closed");
        }
        finished = true;
        try {
            generator.close();
            writer.close();
            AtomicFiles.moveIntoPlace(temp, target);
            LOG.debug("wrote {} examples to {}", written, target);
        } catch (CharacterCodingException ex) {
            deleteTemp();
            throw new Bge4jException("text for " + target + " is not valid Unicode (an unpaired surrogate)", ex);
        } catch (IOException ex) {
            deleteTemp();
            throw new Bge4jException("cannot finish writing " + target + ": " + ex.getMessage(), ex);
        }
    }

    /** Abandons an uncommitted file (deleting the temporary file); a no-op after {@link #commit()}. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            generator.close();
            writer.close();
        } catch (IOException ex) {
            LOG.debug("closing abandoned {} failed: {}", temp, ex.toString());
        }
        deleteTemp();
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ex) {
            LOG.warn("cannot delete temporary file {}: {}", temp, ex.toString());
        }
    }

    private void checkUnicode(String text, String field) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Bge4jException("example " + (written + 1) + " for " + target + ": field '" + field
                        + "' has an unpaired surrogate at char " + i + ", which UTF-8 cannot encode; fix the text");
            }
        }
    }

    private void writeStrings(String name, List<String> values) throws IOException {
        generator.writeArrayFieldStart(name);
        for (String v : values) {
            generator.writeString(v);
        }
        generator.writeEndArray();
    }

    private void writeNumbers(String name, List<Double> values) throws IOException {
        generator.writeArrayFieldStart(name);
        for (Double v : values) {
            generator.writeNumber(v);
        }
        generator.writeEndArray();
    }
}
