package io.bge4j.eval;

import java.util.Objects;

/**
 * One retrieved document of a run: its id and the score that ranks it.
 *
 * <p>Usage: {@code new ScoredDoc("d1", 0.83)}
 *
 * @param docId the document id, non-empty
 * @param score the retrieval score (higher is better)
 */
public record ScoredDoc(String docId, double score) {

    /** Validates the id. */
    public ScoredDoc {
        Objects.requireNonNull(docId, "docId");
        if (docId.isEmpty()) {
            throw new IllegalArgumentException("docId must not be empty");
        }
    }
}
