package io.bge4j.data.synthetic;

import java.util.Objects;

/**
 * One real (query, passage) pair shown to the LLM as an example of how users ask.
 *
 * <p>Usage: {@code new FewShotPair("apt remove keep config", "apt remove deletes a package but ...")}
 *
 * @param query a real user query
 * @param passage the passage it found
 */
public record FewShotPair(String query, String passage) {

    /** Checks both texts are present. */
    public FewShotPair {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(passage, "passage");
    }
}
