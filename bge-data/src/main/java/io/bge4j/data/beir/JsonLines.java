package io.bge4j.data.beir;

import io.bge4j.core.AtomicFiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.DataFormatException;
import io.bge4j.core.JsonErrors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Shared plumbing of the BEIR readers and writers: numbered lines, JSON fields, atomic writes. */
final class JsonLines {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {
    }

    /** Receives one non-blank line and its 1-based number. */
    @FunctionalInterface
    interface LineHandler {
        void accept(String line, long lineNumber);
    }

    /** Writes the content of a file. */
    @FunctionalInterface
    interface Content {
        void writeTo(Writer out) throws IOException;
    }

    static BufferedReader open(Path file, String what) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, 0, null, what + " file not found; expected " + what
                    + " at this path");
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every non-blank line (a UTF-8 byte-order mark on line 1 is ignored). */
    static void forEachLine(Path file, String what, LineHandler handler) {
        try (BufferedReader in = open(file, what)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (n == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
                if (!line.isBlank()) {
                    handler.accept(line, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static ObjectNode parseObject(Path file, long line, String text, String example) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new DataFormatException(file, line, null, "not valid JSON (" + JsonErrors.withoutSource(e) + at
                    + "); each line must be one JSON object such as " + example);
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new DataFormatException(file, line, null, "expected a JSON object such as " + example
                    + " but found " + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        return obj;
    }

    /** The first present field among {@code names}, as text; strings and integers are accepted. */
    static String requiredId(Path file, long line, ObjectNode obj, String example, String... names) {
        for (String name : names) {
            JsonNode v = obj.get(name);
            if (v == null) {
                continue;
            }
            if (v.isTextual() || v.isIntegralNumber()) {
                String s = v.asText();
                if (s.isEmpty()) {
                    throw new DataFormatException(file, line, name, "is empty; every record needs a non-empty id");
                }
                return s;
            }
            throw new DataFormatException(file, line, name, "must be a string (or an integer), but is "
                    + v.getNodeType().toString().toLowerCase());
        }
        throw new DataFormatException(file, line, names[0], "is missing" + alternatives(names)
                + "; expected a line such as " + example);
    }

    /** A string field; absent or null gives {@code null} unless required. */
    static String text(Path file, long line, ObjectNode obj, boolean required, String example, String... names) {
        for (String name : names) {
            JsonNode v = obj.get(name);
            if (v == null) {
                continue;
            }
            if (v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw new DataFormatException(file, line, name, "must be a JSON string, but is "
                        + v.getNodeType().toString().toLowerCase());
            }
            return v.asText();
        }
        if (required) {
            throw new DataFormatException(file, line, names[0], "is missing" + alternatives(names)
                    + "; expected a line such as " + example);
        }
        return null;
    }

    private static String alternatives(String... names) {
        if (names.length == 1) {
            return "";
        }
        return " (also accepted: " + String.join(", ", java.util.Arrays.asList(names).subList(1, names.length)) + ")";
    }

    /** Parses a relevance grade: an integer, or a number with an integral value such as {@code 1.0}. */
    static int relevance(Path file, long line, String field, String raw) {
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(raw.trim());
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new DataFormatException(file, line, field, "relevance '" + raw
                    + "' is not an integer; use graded integers such as 0, 1 or 2");
        }
    }

    /** Writes a file through a temporary sibling and an atomic move. */
    static void writeAtomically(Path file, Content content) {
        AtomicFiles.write(file, out -> {
            Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            content.writeTo(w);
            w.flush();
        });
    }
}
