package io.bge4j.data.beir;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.DataFormatException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes query files: one JSON object per line with the id in {@code _id} (BEIR) or
 * {@code id} (FlagEmbedding) and a {@code text}. Reading streams line by line; a bad line raises a
 * {@link DataFormatException} naming the file, the line and the field.
 *
 * <p>Usage: {@code Queries queries = QueriesJsonl.read(Path.of("queries.jsonl"));}
 */
public final class QueriesJsonl {
    static final String EXAMPLE = "{\"_id\": \"q1\", \"text\": \"...\"}";

    private QueriesJsonl() {
    }

    /**
     * @param file a queries JSONL file
     * @return the queries, in file order
     * @throws DataFormatException on a bad line or a duplicate id
     */
    public static Queries read(Path file) {
        Map<String, String> byId = new LinkedHashMap<>();
        Map<String, Long> firstLine = new HashMap<>();
        JsonLines.forEachLine(file, "queries", (line, n) -> {
            ObjectNode obj = JsonLines.parseObject(file, n, line, EXAMPLE);
            String id = JsonLines.requiredId(file, n, obj, EXAMPLE, "_id", "id");
            String text = JsonLines.text(file, n, obj, true, EXAMPLE, "text");
            if (text == null) {
                throw new DataFormatException(file, n, "text", "is null; every query needs a text");
            }
            Long previous = firstLine.putIfAbsent(id, n);
            if (previous != null) {
                throw new DataFormatException(file, n, "_id", "duplicate query id '" + id
                        + "' (first seen on line " + previous + "); query ids must be unique");
            }
            byId.put(id, text);
        });
        return Queries.of(byId);
    }

    /**
     * Writes queries atomically, BEIR style ({@code _id}, {@code text}).
     *
     * @param file the target file
     * @param queries the queries
     */
    public static void write(Path file, Queries queries) {
        write(file, queries, DatasetLayout.BEIR);
    }

    /**
     * Writes queries atomically.
     *
     * @param file the target file
     * @param queries the queries
     * @param layout {@code BEIR} writes {@code _id}, {@code FLAG_EMBEDDING} writes {@code id}
     */
    public static void write(Path file, Queries queries, DatasetLayout layout) {
        Objects.requireNonNull(layout, "layout");
        String idField = layout == DatasetLayout.BEIR ? "_id" : "id";
        JsonLines.writeAtomically(file, out -> {
            for (Map.Entry<String, String> e : queries.byId().entrySet()) {
                ObjectNode node = JsonLines.MAPPER.createObjectNode();
                node.put(idField, e.getKey());
                node.put("text", e.getValue());
                out.write(JsonLines.MAPPER.writeValueAsString(node));
                out.write('\n');
            }
        });
    }
}
