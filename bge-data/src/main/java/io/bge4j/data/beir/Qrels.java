package io.bge4j.data.beir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Relevance judgements: query id → (document id → graded relevance). Entries with relevance 0 are
 * kept (they are judged non-relevant, as in trec_eval).
 *
 * <p>Usage: {@code Qrels q = Qrels.of(Map.of("q1", Map.of("d1", 1)));}
 *
 * @param byQuery insertion-ordered, unmodifiable
 */
public record Qrels(Map<String, Map<String, Integer>> byQuery) {

    /** Deep-copies into unmodifiable insertion-ordered maps. */
    public Qrels {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Integer>> e : byQuery.entrySet()) {
            copy.put(e.getKey(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue())));
        }
        byQuery = Collections.unmodifiableMap(copy);
    }

    /**
     * @param byQuery query id → (doc id → relevance)
     * @return the qrels
     */
    public static Qrels of(Map<String, Map<String, Integer>> byQuery) {
        return new Qrels(byQuery);
    }

    /**
     * Reads a qrels file in BEIR TSV, TREC or FlagEmbedding JSONL format (see {@link QrelsFiles}).
     *
     * @param file the qrels file
     * @return the judgements
     */
    public static Qrels read(Path file) {
        return QrelsFiles.read(file);
    }

    /**
     * @param queryId a query id
     * @return how many of its judgements have relevance above 0 (trec_eval's {@code num_rel})
     */
    public int relevantCount(String queryId) {
        int n = 0;
        for (int rel : judgements(queryId).values()) {
            if (rel > 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * @param queryId a query id
     * @return its judgements (possibly empty)
     */
    public Map<String, Integer> judgements(String queryId) {
        return byQuery.getOrDefault(queryId, Map.of());
    }
}
