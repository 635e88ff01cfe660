package io.bge4j.data.beir;

import io.bge4j.core.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One split of a retrieval data set: corpus, queries and relevance judgements.
 *
 * <p>{@link #load(Path, String)} reads the BEIR layout or FlagEmbedding's custom evaluation layout
 * (see {@link DatasetLayout}). As BEIR's own loader does, only the queries that have judgements in
 * the split are kept; judged queries without a text and judged documents missing from the corpus are
 * logged as warnings (the evaluator cannot retrieve them).
 *
 * <p>Usage:
 * <pre>{@code
 * BeirDataset test = BeirDataset.load(Path.of("data/scifact"), "test");
 * RetrievalEvaluator eval = RetrievalEvaluator.of(test.queries(), test.corpus(), test.qrels());
 * }</pre>
 *
 * @param corpus the documents
 * @param queries the split's queries
 * @param qrels the split's judgements
 */
public record BeirDataset(Corpus corpus, Queries queries, Qrels qrels) {
    private static final Logger LOG = LoggerFactory.getLogger(BeirDataset.class);

    /** Checks for nulls. */
    public BeirDataset {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(qrels, "qrels");
    }

    /**
     * Loads a split, detecting the layout.
     *
     * @param dir the data set directory
     * @param split for example {@code test}, {@code dev} or {@code train}
     * @return the split
     * @throws DataFormatException when no known layout is found, or on a bad line
     */
    public static BeirDataset load(Path dir, String split) {
        return load(dir, split, detectLayout(dir, split));
    }

    /**
     * @param dir the data set directory
     * @param split the split name
     * @param layout the layout
     * @return the split
     */
    public static BeirDataset load(Path dir, String split, DatasetLayout layout) {
        Objects.requireNonNull(layout, "layout");
        Path corpusFile = dir.resolve("corpus.jsonl");
        Path queriesFile = layout == DatasetLayout.BEIR ? dir.resolve("queries.jsonl")
                : dir.resolve(split + "_queries.jsonl");
        Path qrelsFile = qrelsPath(dir, split, layout);
        Qrels qrels = layout == DatasetLayout.BEIR ? QrelsFiles.read(qrelsFile)
                : QrelsFiles.read(qrelsFile, QrelsFormat.FLAG_JSONL);
        Queries all = QueriesJsonl.read(queriesFile);
        Corpus corpus = CorpusJsonl.read(corpusFile);

        Map<String, String> judged = new LinkedHashMap<>();
        int withoutText = 0;
        for (Map.Entry<String, String> q : all.byId().entrySet()) {
            if (qrels.byQuery().containsKey(q.getKey())) {
                judged.put(q.getKey(), q.getValue());
            }
        }
        long missingDocs = 0;
        for (Map.Entry<String, Map<String, Integer>> e : qrels.byQuery().entrySet()) {
            if (!judged.containsKey(e.getKey())) {
                withoutText++;
            }
            for (String docId : e.getValue().keySet()) {
                if (corpus.positionOf(docId) < 0) {
                    missingDocs++;
                }
            }
        }
        if (withoutText > 0) {
            LOG.warn("{}: {} judged queries have no text in {}; they cannot be evaluated", qrelsFile, withoutText,
                    queriesFile);
        }
        if (missingDocs > 0) {
            LOG.warn("{}: {} judgements name documents that are not in {}", qrelsFile, missingDocs, corpusFile);
        }
        LOG.info("loaded {} split '{}': {} documents, {} queries, {} judged queries", dir, split, corpus.size(),
                judged.size(), qrels.byQuery().size());
        return new BeirDataset(corpus, Queries.of(judged), qrels);
    }

    /**
     * Writes this split atomically, file by file.
     *
     * @param dir the target directory (created if needed)
     * @param split the split name
     * @param layout the layout to write
     */
    public void write(Path dir, String split, DatasetLayout layout) {
        Objects.requireNonNull(layout, "layout");
        CorpusJsonl.write(dir.resolve("corpus.jsonl"), corpus.documents(), layout);
        if (layout == DatasetLayout.BEIR) {
            QueriesJsonl.write(dir.resolve("queries.jsonl"), queries, layout);
            QrelsFiles.write(qrelsPath(dir, split, layout), qrels, QrelsFormat.BEIR_TSV);
        } else {
            QueriesJsonl.write(dir.resolve(split + "_queries.jsonl"), queries, layout);
            QrelsFiles.write(qrelsPath(dir, split, layout), qrels, QrelsFormat.FLAG_JSONL);
        }
    }

    /**
     * @param dir a data set directory
     * @param split the split name
     * @return BEIR when {@code qrels/<split>.tsv} exists, FlagEmbedding when {@code <split>_qrels.jsonl} exists
     * @throws DataFormatException when neither exists
     */
    public static DatasetLayout detectLayout(Path dir, String split) {
        if (Files.isRegularFile(qrelsPath(dir, split, DatasetLayout.BEIR))) {
            return DatasetLayout.BEIR;
        }
        if (Files.isRegularFile(qrelsPath(dir, split, DatasetLayout.FLAG_EMBEDDING))) {
            return DatasetLayout.FLAG_EMBEDDING;
        }
        throw new DataFormatException(dir, 0, null, "no judgements for split '" + split + "': expected "
                + "qrels/" + split + ".tsv (BEIR layout) or " + split + "_qrels.jsonl (FlagEmbedding layout) "
                + "in this directory, next to corpus.jsonl");
    }

    private static Path qrelsPath(Path dir, String split, DatasetLayout layout) {
        return layout == DatasetLayout.BEIR ? dir.resolve("qrels").resolve(split + ".tsv")
                : dir.resolve(split + "_qrels.jsonl");
    }
}
