package io.bge4j.data.synthetic;

import io.bge4j.data.TrainingSet;
import java.util.List;

/**
 * What one {@link QueryGenerator#generate(List)} run produced.
 *
 * <p>Usage: {@code FlagJsonlWriter.writeAll(out, result.trainingSet().examples());}
 *
 * @param queries every parsed query with its passage and prompt, in passage order
 * @param trainingSet the same queries as training examples (positive = the passage), tagged synthetic
 * @param passages how many passages were processed
 * @param llmCalls how many answers were requested from the LLM
 * @param cacheHits how many answers came from the cache
 * @param passagesWithoutQueries passages whose answer yielded no usable query
 */
public record GenerationResult(List<GeneratedQuery> queries, TrainingSet trainingSet, int passages, int llmCalls,
        int cacheHits, int passagesWithoutQueries) {

    /** Copies the list. */
    public GenerationResult {
        queries = List.copyOf(queries);
    }
}
