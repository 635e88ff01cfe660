package io.bge4j.data.beir;

/**
 * How an evaluation data set is laid out on disk.
 *
 * <p>Usage: {@code BeirDataset.load(dir, "test", DatasetLayout.FLAG_EMBEDDING)}
 */
public enum DatasetLayout {
    /**
     * BEIR: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code text}), {@code queries.jsonl}
     * ({@code _id}, {@code text}) and {@code qrels/<split>.tsv} (header {@code query-id corpus-id score}).
     */
    BEIR,
    /**
     * FlagEmbedding's custom evaluation layout: {@code corpus.jsonl} ({@code id}, {@code title},
     * {@code text}), {@code <split>_queries.jsonl} ({@code id}, {@code text}) and
     * {@code <split>_qrels.jsonl} ({@code qid}, {@code docid}, {@code relevance}).
     */
    FLAG_EMBEDDING
}
