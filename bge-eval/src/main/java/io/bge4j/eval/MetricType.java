package io.bge4j.eval;

import java.util.Locale;

/**
 * The retrieval measures bge4j computes, each evaluated at a cutoff k (see {@link Metric}).
 * A document is relevant when its judged relevance is above 0; unjudged documents are not relevant.
 *
 * <p>Usage: {@code new Metric(MetricType.NDCG, 10).key()} gives {@code "ndcg@10"}.
 */
public enum MetricType {
    /**
     * trec_eval {@code ndcg_cut}: DCG over the top k with gain = relevance and discount
     * {@code log2(rank + 1)}, divided by the DCG of the ideal ranking of the judged relevances.
     */
    NDCG("ndcg"),
    /** Relevant documents in the top k divided by all relevant documents of the query. */
    RECALL("recall"),
    /** Relevant documents in the top k divided by k (trec_eval {@code P}: always by k, even for short rankings). */
    PRECISION("precision"),
    /** 1 / rank of the first relevant document if it is in the top k, else 0. */
    MRR("mrr"),
    /**
     * trec_eval {@code map_cut}: the sum of precision at the rank of every relevant document in the top k,
     * divided by all relevant documents of the query.
     */
    MAP("map"),
    /** BEIR's capped recall: relevant documents in the top k divided by {@code min(k, relevant documents)}. */
    RECALL_CAP("recall_cap"),
    /** Hit rate: 1 if any relevant document is in the top k, else 0. */
    ACCURACY("accuracy");

    private final String prefix;

    MetricType(String prefix) {
        this.prefix = prefix;
    }

    /** @return the name used in metric keys, for example {@code ndcg} or {@code recall_cap} */
    public String prefix() {
        return prefix;
    }

    /**
     * @param prefix a name such as {@code ndcg} (case-insensitive)
     * @return the type
     * @throws IllegalArgumentException listing the known names
     */
    public static MetricType fromPrefix(String prefix) {
        String p = prefix.strip().toLowerCase(Locale.ROOT);
        for (MetricType t : values()) {
            if (t.prefix.equals(p)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + prefix
                + "'; known: ndcg, recall, precision, mrr, map, recall_cap, accuracy");
    }
}
