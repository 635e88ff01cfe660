package io.bge4j.data.beir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Query id → query text, in file order (a BEIR {@code queries.jsonl}).
 *
 * <p>Usage: {@code Queries q = Queries.of(Map.of("q1", "install a web server"));}
 *
 * @param byId an insertion-ordered, unmodifiable map
 */
public record Queries(Map<String, String> byId) {

    /** Copies into an unmodifiable insertion-ordered map. */
    public Queries {
        byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /**
     * @param byId query id → text
     * @return the queries
     */
    public static Queries of(Map<String, String> byId) {
        return new Queries(byId);
    }

    /**
     * Reads a {@code queries.jsonl} file (see {@link QueriesJsonl}).
     *
     * @param file the queries file
     * @return the queries
     */
    public static Queries readJsonl(Path file) {
        return QueriesJsonl.read(file);
    }

    /** @return the number of queries */
    public int size() {
        return byId.size();
    }

    /**
     * @param id a query id
     * @return its text, or null
     */
    public String text(String id) {
        return byId.get(id);
    }
}
