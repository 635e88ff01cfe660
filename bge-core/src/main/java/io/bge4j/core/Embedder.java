package io.bge4j.core;

import java.util.List;

/**
 * Turns texts into L2-normalised (by default) dense vectors. Implementations own native resources,
 * so close them.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Embedder emb = model.embedder().batchSize(64).build()) {
 *     float[][] q = emb.encodeQueries(List.of("how do I reset my password"));
 *     float[][] d = emb.encodeCorpus(passages);
 * }
 * }</pre>
 */
public interface Embedder extends AutoCloseable {

    /**
     * Encodes search queries: the model's query instruction is prepended to each text.
     *
     * @param queries texts, in any order; empty strings allowed
     * @return one vector per query, in input order
     */
    float[][] encodeQueries(List<String> queries);

    /**
     * Encodes documents (no instruction).
     *
     * @param documents texts; empty strings allowed
     * @return one vector per document, in input order
     */
    float[][] encodeCorpus(List<String> documents);

    /**
     * Encodes texts exactly as given (no instruction).
     *
     * @param texts texts
     * @return one vector per text, in input order
     */
    float[][] encode(List<String> texts);

    /** @return the embedding dimension */
    int dimension();

    /**
     * A stable fingerprint of the weights and settings that determine the vectors (used to key
     * caches of corpus embeddings). Two embedders with the same fingerprint produce the same vectors.
     *
     * @return a hex string
     */
    String fingerprint();

    @Override
    void close();
}
