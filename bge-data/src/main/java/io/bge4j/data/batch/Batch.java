package io.bge4j.data.batch;

import io.bge4j.data.TrainingExample;
import java.util.List;

/**
 * One training batch: examples whose texts (queries, positives, negatives; compared after
 * {@link io.bge4j.data.TextNormalizer normalisation}) are pairwise distinct across examples.
 *
 * <p>Usage: {@code for (Batch b : plan.batches()) trainer.step(b.examples());}
 *
 * @param index 0-based position in the plan
 * @param dataset the data set all examples come from when the composer keeps batches within one
 *     data set, otherwise null
 * @param examples the examples; unmodifiable
 */
public record Batch(int index, String dataset, List<TrainingExample> examples) {

    /** Copies the examples. */
    public Batch {
        examples = List.copyOf(examples);
    }

    /** @return the number of examples */
    public int size() {
        return examples.size();
    }
}
