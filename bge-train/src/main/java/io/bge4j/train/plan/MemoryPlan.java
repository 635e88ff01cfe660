package io.bge4j.train.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory planner's decision for a run: how to execute the step, the numbers behind it, and for a step
 * that cannot fit, what to change. Printed before the first step and recorded in the run's provenance.
 *
 * <p>Usage: {@code MemoryPlan p = planner.plan(shape, available).requireFits(); log(p.summary());}
 *
 * @param decision plain step, GradCache, or nothing fits
 * @param requested the step as configured
 * @param chosen the step as it should run (the GradCache chunk may differ from the requested one)
 * @param requestedEstimate the estimate of the requested step
 * @param chosenEstimate the estimate of the chosen step
 * @param available what was measured as available
 * @param budgetBytes the memory the step may use (host budget, or GPU free memory)
 * @param usableBytes the budget less the headroom; estimates are compared with this
 * @param headroom the fraction of the budget kept free
 * @param reason one sentence: why this decision
 * @param advice what to change when nothing fits (empty otherwise)
 */
public record MemoryPlan(Decision decision, StepShape requested, StepShape chosen, MemoryEstimate requestedEstimate,
        MemoryEstimate chosenEstimate, MemoryAvailability available, long budgetBytes, long usableBytes,
        double headroom, String reason, List<String> advice) {

    /** How the step runs. */
    public enum Decision {
        /** Everything encoded with a graph at once. */
        PLAIN,
        /** GradCache with {@link MemoryPlan#gradCacheChunk()} texts per chunk. */
        GRAD_CACHE,
        /** No layout fits: fail in preflight. */
        DOES_NOT_FIT
    }

    /** Copies the advice. */
    public MemoryPlan {
        advice = List.copyOf(advice);
    }

    /** @return texts per GradCache chunk to use; 0 for the plain step */
    public int gradCacheChunk() {
        return decision == Decision.PLAIN ? 0 : chosen.gradCacheChunk();
    }

    /** @return true when the planner changed the step (switched GradCache on or lowered its chunk) */
    public boolean changed() {
        return decision != Decision.DOES_NOT_FIT && chosen.gradCacheChunk() != requested.gradCacheChunk();
    }

    /**
     * @return this plan when the step fits
     * @throws MemoryPlanException with the numbers and the advice when nothing fits
     */
    public MemoryPlan requireFits() {
        if (decision == Decision.DOES_NOT_FIT) {
            throw new MemoryPlanException(this);
        }
        return this;
    }

    /** @return a few lines for the console and logs */
    public String summary() {
        StringBuilder sb = new StringBuilder("memory plan: ");
        sb.append(switch (decision) {
            case PLAIN -> "plain step";
            case GRAD_CACHE -> "GradCache, chunks of " + chosen.gradCacheChunk() + " texts";
            case DOES_NOT_FIT -> "does not fit";
        });
        sb.append(" (batch ").append(requested.batchSize()).append(" x group ").append(requested.groupSize())
                .append(", query/passage ").append(requested.queryMaxLength()).append('/')
                .append(requested.passageMaxLength()).append(" tokens)\n  ").append(reason)
                .append("\n  estimate: ").append(chosenEstimate.describe());
        if (changed()) {
            sb.append("\n  as configured: ").append(requestedEstimate.describe());
        }
        sb.append("\n  usable ").append(MemoryEstimate.gib(usableBytes)).append(" GiB = budget ")
                .append(MemoryEstimate.gib(budgetBytes)).append(" GiB less ").append(Math.round(headroom * 100))
                .append("% headroom; ").append(available.describe());
        if (!advice.isEmpty()) {
            sb.append("\n  to fit, change one of: ").append(String.join("; ", advice));
        }
        return sb.toString();
    }

    /** @return flat key/value pairs for the run's provenance ({@code memory_plan.*}) */
    public Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision", decision.name());
        m.put("grad_cache_chunk", gradCacheChunk());
        m.put("requested_grad_cache_chunk", requested.gradCacheChunk());
        chosenEstimate.terms().forEach((k, v) -> m.put("estimate_" + k + "_bytes", v));
        m.put("budget_bytes", budgetBytes);
        m.put("usable_bytes", usableBytes);
        m.put("headroom", headroom);
        m.put("on_gpu", available.onGpu());
        m.put("reason", reason);
        return m;
    }
}
