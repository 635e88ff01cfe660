package io.bge4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A retrieval run: for each query, the retrieved documents with their scores.
 *
 * <p>Rankings follow trec_eval exactly: documents are ordered by score, highest first, and equal
 * scores are ordered by document id in <em>descending</em> code-point (UTF-8 byte) order, as
 * trec_eval's {@code strcmp}-based sort does; the rank column of a TREC file is ignored. So a run
 * written with {@link TrecRunWriter} scores the same here and in trec_eval.
 *
 * <p><b>Duplicate document ids</b> within a query: the first occurrence (in the order added, i.e.
 * file order for a TREC run) is kept and later ones are dropped; {@link #duplicatesDropped()}
 * counts them (trec_eval itself refuses such files).
 *
 * <p>Usage:
 * <pre>{@code
 * Run run = Run.builder().add("q1", "d3", 0.9).add("q1", "d7", 0.4).build();
 * List<ScoredDoc> ranked = run.ranking("q1");
 * }</pre>
 */
public final class Run {
    /** trec_eval's order: score descending, then document id descending. */
    public static final Comparator<ScoredDoc> TREC_ORDER = (a, b) -> {
        int c = Double.compare(b.score(), a.score());
        return c != 0 ? c : compareCodePoints(b.docId(), a.docId());
    };

    private final Map<String, List<ScoredDoc>> rankings;
    private final long duplicatesDropped;

    private Run(Map<String, List<ScoredDoc>> rankings, long duplicatesDropped) {
        this.rankings = rankings;
        this.duplicatesDropped = duplicatesDropped;
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the query ids, in the order first seen */
    public Set<String> queryIds() {
        return rankings.keySet();
    }

    /**
     * @param queryId a query id
     * @return its documents in trec_eval order (empty when the run has no line for the query)
     */
    public List<ScoredDoc> ranking(String queryId) {
        return rankings.getOrDefault(queryId, List.of());
    }

    /** @return whether the run has any document for the query */
    public boolean contains(String queryId) {
        return rankings.containsKey(queryId);
    }

    /** @return query id → documents in trec_eval order, unmodifiable */
    public Map<String, List<ScoredDoc>> rankings() {
        return rankings;
    }

    /** @return how many repeated (query, document) entries were dropped while building */
    public long duplicatesDropped() {
        return duplicatesDropped;
    }

    /** @return the number of (query, document) entries */
    public long size() {
        long n = 0;
        for (List<ScoredDoc> l : rankings.values()) {
            n += l.size();
        }
        return n;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Collects (query, document, score) entries; {@link #build()} sorts each query's documents.
     *
     * <p>Usage: {@code Run.builder().add("q1", "d1", 1.0).build()}
     */
    public static final class Builder {
        private final Map<String, List<ScoredDoc>> byQuery = new LinkedHashMap<>();
        private final Map<String, Set<String>> seen = new LinkedHashMap<>();
        private long duplicates;

        private Builder() {
        }

        /**
         * @param queryId the query id, non-empty
         * @param docId the document id, non-empty
         * @param score its score
         * @return this builder; a repeated (query, document) pair is ignored and counted
         */
        public Builder add(String queryId, String docId, double score) {
            Objects.requireNonNull(queryId, "queryId");
            if (queryId.isEmpty()) {
                throw new IllegalArgumentException("queryId must not be empty");
            }
            ScoredDoc doc = new ScoredDoc(docId, score);
            if (seen.computeIfAbsent(queryId, q -> new HashSet<>()).add(docId)) {
                byQuery.computeIfAbsent(queryId, q -> new ArrayList<>()).add(doc);
            } else {
                duplicates++;
            }
            return this;
        }

        /**
         * @param queryId the query id
         * @param docs its documents, in any order
         * @return this builder
         */
        public Builder addAll(String queryId, List<ScoredDoc> docs) {
            for (ScoredDoc d : docs) {
                add(queryId, d.docId(), d.score());
            }
            return this;
        }

        /** @return the run */
        public Run build() {
            Map<String, List<ScoredDoc>> sorted = new LinkedHashMap<>();
            for (Map.Entry<String, List<ScoredDoc>> e : byQuery.entrySet()) {
                List<ScoredDoc> l = new ArrayList<>(e.getValue());
                l.sort(TREC_ORDER);
                sorted.put(e.getKey(), Collections.unmodifiableList(l));
            }
            return new Run(Collections.unmodifiableMap(sorted), duplicates);
        }
    }
}
