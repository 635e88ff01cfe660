package io.bge4j.data.batch;

import io.bge4j.data.TrainingExample;
import java.util.List;

/**
 * The batches of one epoch, the examples left out (only when incomplete batches are dropped) and
 * the report.
 *
 * <p>Usage: {@code BatchPlan plan = composer.compose(train, epoch); plan.batches().forEach(trainer::step);}
 *
 * @param batches the batches, in training order
 * @param leftover examples not in any batch (empty unless {@code dropIncomplete}); they are the
 *     first to place in the next epoch's plan if you want them
 * @param report the counts
 */
public record BatchPlan(List<Batch> batches, List<TrainingExample> leftover, BatchReport report) {

    /** Copies the lists. */
    public BatchPlan {
        batches = List.copyOf(batches);
        leftover = List.copyOf(leftover);
    }
}
