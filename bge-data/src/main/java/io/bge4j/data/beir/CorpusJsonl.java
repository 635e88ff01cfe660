package io.bge4j.data.beir;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads and writes corpus files: one JSON object per line with the id in {@code _id} (BEIR) or
 * {@code id} (FlagEmbedding), an optional {@code title} and a {@code text}. Other fields are ignored,
 * blank lines are skipped, and a bad line raises a {@link DataFormatException} naming the file, the
 * line and the field.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Stream<CorpusDocument> docs = CorpusJsonl.stream(Path.of("corpus.jsonl"))) { docs.forEach(...); }
 * Corpus corpus = CorpusJsonl.read(Path.of("corpus.jsonl"));
 * }</pre>
 */
public final class CorpusJsonl {
    static final String EXAMPLE = "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"...\"}";

    private CorpusJsonl() {
    }

    /**
     * Streams the documents lazily, one line at a time; close the stream (try-with-resources).
     * Duplicate ids are not detected here (use {@link #read(Path)} for that).
     *
     * @param file a corpus JSONL file
     * @return the documents in file order
     */
    public static Stream<CorpusDocument> stream(Path file) {
        BufferedReader in = JsonLines.open(file, "corpus");
        Iterator<CorpusDocument> it = new Iterator<>() {
            private long lineNumber;
            private CorpusDocument next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lineNumber++;
                        if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                            line = line.substring(1);
                        }
                        if (!line.isBlank()) {
                            next = parse(file, lineNumber, line);
                            return true;
                        }
                    }
                    return false;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }

            @Override
            public CorpusDocument next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CorpusDocument d = next;
                next = null;
                return d;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> {
                    try {
                        in.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /**
     * Reads a whole corpus.
     *
     * @param file a corpus JSONL file
     * @return the corpus, in file order
     * @throws DataFormatException on a bad line or a duplicate id (naming both lines)
     */
    public static Corpus read(Path file) {
        List<CorpusDocument> docs = new ArrayList<>();
        Map<String, Long> firstLine = new HashMap<>();
        JsonLines.forEachLine(file, "corpus", (line, n) -> {
            CorpusDocument d = parse(file, n, line);
            Long previous = firstLine.putIfAbsent(d.id(), n);
            if (previous != null) {
                throw new DataFormatException(file, n, "_id", "duplicate document id '" + d.id()
                        + "' (first seen on line " + previous + "); document ids must be unique");
            }
            docs.add(d);
        });
        return Corpus.of(docs);
    }

    /**
     * Writes documents atomically, BEIR style ({@code _id}, {@code title}, {@code text}).
     *
     * @param file the target file
     * @param documents the documents
     */
    public static void write(Path file, Iterable<CorpusDocument> documents) {
        write(file, documents, DatasetLayout.BEIR);
    }

    /**
     * Writes documents atomically.
     *
     * @param file the target file
     * @param documents the documents
     * @param layout {@code BEIR} writes {@code _id}, {@code FLAG_EMBEDDING} writes {@code id}
     */
    public static void write(Path file, Iterable<CorpusDocument> documents, DatasetLayout layout) {
        Objects.requireNonNull(layout, "layout");
        String idField = layout == DatasetLayout.BEIR ? "_id" : "id";
        JsonLines.writeAtomically(file, out -> {
            for (CorpusDocument d : documents) {
                ObjectNode node = JsonLines.MAPPER.createObjectNode();
                node.put(idField, d.id());
                node.put("title", d.title());
                node.put("text", d.text());
                out.write(JsonLines.MAPPER.writeValueAsString(node));
                out.write('\n');
            }
        });
    }

    static CorpusDocument parse(Path file, long line, String text) {
        ObjectNode obj = JsonLines.parseObject(file, line, text, EXAMPLE);
        String id = JsonLines.requiredId(file, line, obj, EXAMPLE, "_id", "id");
        String title = JsonLines.text(file, line, obj, false, EXAMPLE, "title");
        String body = JsonLines.text(file, line, obj, true, EXAMPLE, "text");
        return new CorpusDocument(id, title, body);
    }
}
