package io.bge4j.data.beir;

/**
 * The on-disk formats of relevance judgements.
 *
 * <p>Usage: {@code QrelsFiles.read(path, QrelsFormat.TREC)}
 */
public enum QrelsFormat {
    /** BEIR: tab-separated {@code query-id corpus-id score}, with that header line. */
    BEIR_TSV,
    /** TREC: whitespace-separated {@code qid iteration docid relevance}, no header (iteration ignored). */
    TREC,
    /** FlagEmbedding: JSON lines {@code {"qid": .., "docid": .., "relevance": ..}}. */
    FLAG_JSONL
}
