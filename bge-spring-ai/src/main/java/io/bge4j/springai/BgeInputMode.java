package io.bge4j.springai;

/**
 * Which texts a {@link BgeSpringAiEmbeddingModel} treats as queries (BGE query instruction prepended) and which as
 * documents (encoded as given), for calls whose options do not say ({@link BgeEmbeddingOptions} always wins).
 *
 * <p>Usage: {@code BgeSpringAiEmbeddingModel.builder().model(bge).inputMode(BgeInputMode.AUTO).build()}, or the
 * property {@code bge4j.embedding.input-mode=auto}.
 */
public enum BgeInputMode {
    /**
     * Follows Spring AI's vector-store contract: {@code embed(String)} is a query (vector stores embed the search text
     * that way), {@code embed(Document)}, {@code embed(List<Document>, ...)}, {@code embed(List<String>)} and
     * {@code call(EmbeddingRequest)} are documents.
     */
    AUTO,
    /** Every call is a query. */
    QUERY,
    /** Every call is a document. */
    DOCUMENT
}
