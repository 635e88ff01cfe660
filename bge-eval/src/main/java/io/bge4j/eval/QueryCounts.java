package io.bge4j.eval;

/**
 * How many queries an evaluation scored, and how many it left out and why.
 *
 * <p>Usage: {@code if (result.counts().withoutRelevant() > 0) log.warn(...);}
 *
 * @param evaluated queries whose metrics were computed (the denominator of every mean)
 * @param withoutRelevant judged queries with no document of relevance above 0: excluded from the means,
 *     as trec_eval does (their metrics are undefined)
 * @param missingFromRun judged queries with relevant documents but no line in the run: excluded,
 *     as trec_eval does without {@code -c}, unless the calculator was told to score them as 0
 *     (then they are counted here and in {@code evaluated})
 * @param notInQrels queries of the run that have no judgements at all: ignored
 */
public record QueryCounts(int evaluated, int withoutRelevant, int missingFromRun, int notInQrels) {

    /** Validates that every count is non-negative. */
    public QueryCounts {
        if (evaluated < 0 || withoutRelevant < 0 || missingFromRun < 0 || notInQrels < 0) {
            throw new IllegalArgumentException("query counts must be non-negative");
        }
    }
}
