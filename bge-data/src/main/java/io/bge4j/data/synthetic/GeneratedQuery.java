package io.bge4j.data.synthetic;

import java.util.Objects;

/**
 * One query an LLM wrote for a passage, with the prompt that produced it.
 *
 * <p>Usage: {@code for (GeneratedQuery g : result.queries()) log.info("{} <- {}", g.query(), g.passage());}
 *
 * @param query the generated query
 * @param passage the passage it was written for (its positive)
 * @param prompt the full prompt sent to the LLM
 * @param model the model that answered
 * @param fromCache whether the answer came from the {@link GenerationCache} instead of a call
 */
public record GeneratedQuery(String query, String passage, String prompt, String model, boolean fromCache) {

    /** Checks that the texts are present. */
    public GeneratedQuery {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(passage, "passage");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(model, "model");
    }
}
