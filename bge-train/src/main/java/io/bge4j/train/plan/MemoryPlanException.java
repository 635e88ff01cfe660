package io.bge4j.train.plan;

import io.bge4j.core.Bge4jException;

/**
 * Thrown in preflight when no step layout fits the memory available; the message carries the estimate,
 * the budget and what to change.
 *
 * <p>Usage: {@code MemoryPlan plan = planner.plan(shape, MemoryAvailability.probe(device)).requireFits();}
 */
public final class MemoryPlanException extends Bge4jException {

    private static final long serialVersionUID = 1L;

    private final transient MemoryPlan plan;

    MemoryPlanException(MemoryPlan plan) {
        super(plan.summary());
        this.plan = plan;
    }

    /** @return the plan that did not fit */
    public MemoryPlan plan() {
        return plan;
    }
}
