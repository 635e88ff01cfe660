package io.bge4j.eval;

import java.util.Objects;

/**
 * One query's value of the primary metric before and after, for "where did it help or hurt" lists.
 *
 * <p>Usage: {@code comparison.mostImproved().forEach(c -> log.info("{} {}", c.delta(), c.text()));}
 *
 * @param queryId the query id
 * @param text the query text, empty when unknown
 * @param base the base value
 * @param tuned the tuned value
 * @param delta {@code tuned - base}
 */
public record QueryChange(String queryId, String text, double base, double tuned, double delta) {

    /** Normalises a null text to empty. */
    public QueryChange {
        Objects.requireNonNull(queryId, "queryId");
        text = text == null ? "" : text;
    }
}
