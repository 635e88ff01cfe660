package io.bge4j.core;

import java.nio.file.Path;

/**
 * A data file (JSONL, BEIR, qrels, run) has a bad record. Carries the file, the 1-based line and
 * the field, so that the message can say exactly where to look.
 *
 * <p>Usage: {@code catch (DataFormatException e) { System.err.println(e.file() + ":" + e.line()); }}
 */
public class DataFormatException extends Bge4jException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;
    private final String field;

    /**
     * @param file the file being read (may be null for in-memory sources)
     * @param line 1-based line number, or 0 when not line-oriented
     * @param field the offending field, or null
     * @param problem what was wrong and what was expected
     */
    public DataFormatException(Path file, long line, String field, String problem) {
        super(format(file, line, field, problem));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    private static String format(Path file, long line, String field, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<input>" : file.toString());
        if (line > 0) {
            sb.append(':').append(line);
        }
        if (field != null) {
            sb.append(" field '").append(field).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }

    /** @return the file, or null for an in-memory source */
    public Path file() {
        return file;
    }

    /** @return the 1-based line number, or 0 */
    public long line() {
        return line;
    }

    /** @return the offending field, or null */
    public String field() {
        return field;
    }
}
