package io.bge4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-pass iterator over the examples of a FlagEmbedding JSONL file, holding one line in memory
 * at a time. Obtain it from {@link FlagJsonlReader#open(Path)} and close it when done. Not
 * thread-safe.
 *
 * <p>Usage:
 * <pre>{@code
 * try (JsonlExampleStream s = FlagJsonlReader.builder().build().open(file)) {
 *     long n = s.stream().count();
 * }
 * }</pre>
 */
public final class JsonlExampleStream implements Iterator<TrainingExample>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonlExampleStream.class);
    private static final int WARN_LIMIT = 10;

    private final Path file;
    private final String datasetName;
    private final InputStream in;
    private final JsonFactory jsonFactory;
    private final boolean lenient;
    private final int maxLineBytes;
    private final int maxRecordedErrors;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLimit;
    private boolean eof;
    private byte[] line = new byte[1 << 12];
    private int lineLength;
    private long lineBytesSeen;
    private CharBuffer chars = CharBuffer.allocate(1 << 12);

    private long lineNumber;
    private long examples;
    private long blankLines;
    private long skipped;
    private long bytes;
    private final List<DataFormatException> errors = new ArrayList<>();
    private TrainingExample next;
    private boolean closed;

    JsonlExampleStream(Path file, String datasetName, InputStream in, JsonFactory jsonFactory, boolean lenient,
                       int maxLineBytes, int maxRecordedErrors) {
        this.file = file;
        this.datasetName = datasetName;
        this.in = in;
        this.jsonFactory = jsonFactory;
        this.lenient = lenient;
        this.maxLineBytes = maxLineBytes;
        this.maxRecordedErrors = maxRecordedErrors;
    }

    /** @return the data set name stamped on each example's source */
    public String datasetName() {
        return datasetName;
    }

    /** @return the counts so far (final once {@link #hasNext()} has returned false) */
    public JsonlReadReport report() {
        return new JsonlReadReport(file, lineNumber, examples, blankLines, skipped, bytes, errors);
    }

    /** @return the remaining examples as a sequential stream; closing the stream closes this */
    public Stream<TrainingExample> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed) {
            return false;
        }
        try {
            while (readLine()) {
                lineNumber++;
                try {
                    TrainingExample ex = parseLine();
                    if (ex != null) {
                        examples++;
                        next = ex;
                        return true;
                    }
                    blankLines++;
                } catch (DataFormatException e) {
                    if (!lenient) {
                        throw e;
                    }
                    skipped++;
                    if (errors.size() < maxRecordedErrors) {
                        errors.add(e);
                    }
                    if (skipped <= WARN_LIMIT) {
                        LOG.warn("skipping bad line: {}{}", e.getMessage(),
                                skipped == WARN_LIMIT ? " (further bad lines are logged at DEBUG)" : "");
                    } else {
                        LOG.debug("skipping bad line: {}", e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " after line " + lineNumber, e);
        }
        if (skipped > 0) {
            LOG.warn("{}: skipped {} bad line(s) of {}; {} example(s) read", file, skipped, lineNumber, examples);
        }
        close();
        return false;
    }

    @Override
    public TrainingExample next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more examples in " + file);
        }
        TrainingExample ex = next;
        next = null;
        return ex;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                in.close();
            } catch (IOException e) {
                LOG.debug("closing {} failed: {}", file, e.toString());
            }
        }
    }

    /** Reads the next physical line into {@code line}; false at end of input. */
    private boolean readLine() throws IOException {
        lineLength = 0;
        lineBytesSeen = 0;
        boolean any = false;
        while (true) {
            if (bufPos == bufLimit) {
                if (eof) {
                    return any;
                }
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    eof = true;
                    return any;
                }
                bytes += n;
                bufPos = 0;
                bufLimit = n;
            }
            any = true;
            int start = bufPos;
            int end = start;
            while (end < bufLimit && buf[end] != '\n') {
                end++;
            }
            append(start, end - start);
            if (end < bufLimit) {
                bufPos = end + 1;
                return true;
            }
            bufPos = bufLimit;
        }
    }

    private void append(int from, int length) {
        lineBytesSeen += length;
        if (lineBytesSeen > maxLineBytes + 1L) { // +1 leaves room for a trailing '\r'
            return;
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.max(lineLength + length, Math.min(line.length * 2, maxLineBytes + 1)));
        }
        System.arraycopy(buf, from, line, lineLength, length);
        lineLength += length;
    }

    private DataFormatException error(String field, String problem) {
        return new DataFormatException(file, lineNumber, field, problem);
    }

    /** @return the example, or null for a blank line */
    private TrainingExample parseLine() {
        int len = lineLength;
        long seen = lineBytesSeen;
        if (seen > 0 && lineBytesSeen <= maxLineBytes + 1L && line[len - 1] == '\r') {
            len--;
            seen--;
        }
        if (seen > maxLineBytes) {
            throw error(null, "line is " + seen + " bytes long, over the limit of " + maxLineBytes
                    + " bytes; split the record or raise FlagJsonlReader.builder().maxLineBytes(...)");
        }
        int offset = 0;
        if (lineNumber == 1 && len >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                && (line[2] & 0xFF) == 0xBF) {
            offset = 3; // UTF-8 byte order mark
        }
        int charCount = decode(offset, len - offset);
        char[] c = chars.array();
        boolean blank = true;
        for (int i = 0; i < charCount; i++) {
            if (!Character.isWhitespace(c[i])) {
                blank = false;
                break;
            }
        }
        if (blank) {
            return null;
        }
        return parseJson(c, charCount);
    }

    private int decode(int offset, int length) {
        if (chars.capacity() < length) {
            chars = CharBuffer.allocate(Math.max(length, chars.capacity() * 2));
        }
        chars.clear();
        decoder.reset();
        ByteBuffer in = ByteBuffer.wrap(line, offset, length);
        CoderResult r = decoder.decode(in, chars, true);
        if (r.isError()) {
            throw error(null, "invalid UTF-8 at byte " + (in.position() - offset + 1) + " of the line ("
                    + r.length() + " malformed byte(s)); re-encode the file as UTF-8");
        }
        r = decoder.flush(chars);
        if (r.isError()) {
            throw error(null, "invalid UTF-8 at the end of the line; re-encode the file as UTF-8");
        }
        return chars.position();
    }

    private TrainingExample parseJson(char[] c, int len) {
        String field = null;
        try (JsonParser p = jsonFactory.createParser(c, 0, len)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw error(null, "expected a JSON object {\"query\": ..., \"pos\": [...]} but the line starts with "
                        + describe(t));
            }
            String query = null;
            List<String> pos = null;
            List<String> neg = null;
            List<Double> posScores = null;
            List<Double> negScores = null;
            String prompt = null;
            String type = null;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                field = p.currentName();
                t = p.nextToken();
                switch (field) {
                    case "query" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw error("query", "must be a string, found " + describe(t));
                        }
                        query = p.getText();
                    }
                    case "pos" -> pos = stringList(p, t, "pos");
                    case "neg" -> neg = t == JsonToken.VALUE_NULL ? null : stringList(p, t, "neg");
                    case "pos_scores" -> posScores = t == JsonToken.VALUE_NULL ? null : numberList(p, t, "pos_scores");
                    case "neg_scores" -> negScores = t == JsonToken.VALUE_NULL ? null : numberList(p, t, "neg_scores");
                    case "prompt" -> prompt = optionalString(p, t, "prompt");
                    case "type" -> type = optionalString(p, t, "type");
                    default -> p.skipChildren();
                }
                field = null;
            }
            if (t != JsonToken.END_OBJECT) {
                throw error(null, "malformed JSON object (found " + describe(t) + ")");
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw error(null, "unexpected " + describe(after) + " after the JSON object; put one object per line");
            }
            if (query == null) {
                throw error("query", "missing; every line needs \"query\": \"...\"");
            }
            if (pos == null) {
                throw error("pos", "missing; every line needs \"pos\": a list with at least one passage");
            }
            if (pos.isEmpty()) {
                throw error("pos", "is empty; give at least one positive passage");
            }
            if (neg == null) {
                neg = List.of();
            }
            if (posScores != null && posScores.size() != pos.size()) {
                throw error("pos_scores", "has " + posScores.size() + " score(s) but \"pos\" has " + pos.size()
                        + " passage(s); give one score per passage or leave pos_scores out");
            }
            if (negScores != null && negScores.size() != neg.size()) {
                throw error("neg_scores", "has " + negScores.size() + " score(s) but \"neg\" has " + neg.size()
                        + " passage(s); give one score per passage or leave neg_scores out");
            }
            if (negScores != null && !neg.isEmpty() && posScores == null) {
                throw error("pos_scores", "missing while neg_scores is given; distillation needs teacher scores for"
                        + " the positives and the negatives: give both pos_scores and neg_scores, or neither");
            }
            if (posScores != null && negScores == null && !neg.isEmpty()) {
                throw error("neg_scores", "missing while pos_scores is given; distillation needs teacher scores for"
                        + " the positives and the negatives: give both pos_scores and neg_scores, or neither");
            }
            return new TrainingExample(query, pos, neg, posScores, negScores, prompt, type, datasetName);
        } catch (JsonProcessingException e) {
            throw error(field, "invalid JSON: " + withoutSource(e.getOriginalMessage()) + " (column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new Bge4jException("cannot parse line " + lineNumber + " of " + file + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's message without its "[Source: ...; line: 1, column: N]" location text (the line is ours). */
    static String withoutSource(String message) {
        if (message == null) {
            return "";
        }
        return message.replaceAll("\\[Source: .*?; line: \\d+, column: (\\d+)\\]", "column $1")
                .replaceAll("\\[Source: [^\\]]*\\]", "").trim();
    }

    private List<String> stringList(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw error(field, "must be a list of strings, found " + describe(t));
        }
        List<String> out = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw error(field, "element " + out.size() + " must be a string, found " + describe(t));
            }
            out.add(p.getText());
        }
        return out;
    }

    private List<Double> numberList(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw error(field, "must be a list of numbers, found " + describe(t));
        }
        List<Double> out = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw error(field, "element " + out.size() + " must be a number, found " + describe(t));
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw error(field, "element " + out.size() + " is not a finite number");
            }
            out.add(v);
        }
        return out;
    }

    private String optionalString(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw error(field, "must be a string or null, found " + describe(t));
        }
        return p.getText();
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the line";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }
}
