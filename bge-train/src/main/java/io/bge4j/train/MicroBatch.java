package io.bge4j.train;

import java.util.List;

/**
 * One micro-batch as the step strategies see it: texts in group layout, their token ids and the
 * teacher and guide scores.
 *
 * @param index the global micro-batch index (step × accumulation + position)
 * @param queries B query texts (instruction included)
 * @param passages B·G passage texts in group layout (row i·G is query i's positive)
 * @param positives the B positives, in query order
 * @param teacher B×G teacher scores, or {@code null} when the batch carries none
 * @param queryIds token ids of the queries
 * @param passageIds token ids of the passages
 * @param guide B×C guide similarities for guided masking (C = B·G in-batch, G group-only), or {@code null}
 */
record MicroBatch(long index, List<String> queries, List<String> passages, List<String> positives, double[][] teacher,
        long[][] queryIds, long[][] passageIds, double[][] guide) {

    /** @return non-padding tokens of queries and passages */
    long tokens() {
        long n = 0;
        for (long[] x : queryIds) {
            n += x.length;
        }
        for (long[] x : passageIds) {
            n += x.length;
        }
        return n;
    }
}
