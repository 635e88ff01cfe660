package io.bge4j.data.sampling;

/**
 * Where one chosen negative came from (for diagnostics and tests).
 *
 * <p>Usage: {@code long random = r.provenance().get(0).stream().filter(SampledNegative::toppedUp).count();}
 *
 * @param docId the corpus document id
 * @param position the document's 0-based corpus position
 * @param text the negative text as written into the example
 * @param rank 0-based rank in the retrieval ranking, or -1 when it was not ranked (random)
 * @param score its retrieval score (inner product or BM25), or NaN when none was computed
 * @param toppedUp whether it was added by random top-up rather than chosen from the rank window
 */
public record SampledNegative(String docId, int position, String text, int rank, double score, boolean toppedUp) {
}
