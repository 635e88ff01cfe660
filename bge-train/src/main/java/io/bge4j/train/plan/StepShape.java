package io.bge4j.train.plan;

/**
 * The sizes of one optimizer step that decide its memory: what the trainer will encode at once.
 *
 * <p>Usage: {@code StepShape s = new StepShape(32, 8, 64, 256, 1, 0, 0, true);}
 *
 * @param batchSize queries per micro-batch
 * @param groupSize passages per query (1 positive + {@code groupSize - 1} negatives)
 * @param queryMaxLength longest query in tokens (the tokenizer's truncation length)
 * @param passageMaxLength longest passage in tokens
 * @param gradientAccumulation micro-batches per optimizer step (does not raise the activation peak: each
 *     micro-batch is back-propagated before the next)
 * @param gradCacheChunk texts per GradCache chunk; 0 for the plain step (everything encoded with a graph at once)
 * @param crossBatchMemory passage embeddings kept from earlier steps as extra negatives (0 = off)
 * @param dropout true when dropout is active (training), which keeps a mask per attention probability
 */
public record StepShape(int batchSize, int groupSize, int queryMaxLength, int passageMaxLength,
        int gradientAccumulation, int gradCacheChunk, int crossBatchMemory, boolean dropout) {

    /** Validates every size and names the bad one. */
    public StepShape {
        positive("batchSize", batchSize);
        positive("groupSize", groupSize);
        positive("queryMaxLength", queryMaxLength);
        positive("passageMaxLength", passageMaxLength);
        positive("gradientAccumulation", gradientAccumulation);
        if (gradCacheChunk < 0) {
            throw new IllegalArgumentException("gradCacheChunk must be >= 0 (0 = plain step), got " + gradCacheChunk);
        }
        if (crossBatchMemory < 0) {
            throw new IllegalArgumentException("crossBatchMemory must be >= 0, got " + crossBatchMemory);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /** @return passages per micro-batch, {@code batchSize * groupSize} */
    public int passages() {
        return batchSize * groupSize;
    }

    /** @param chunk texts per GradCache chunk (0 = plain) @return this shape with that chunk */
    public StepShape withGradCacheChunk(int chunk) {
        return new StepShape(batchSize, groupSize, queryMaxLength, passageMaxLength, gradientAccumulation, chunk,
                crossBatchMemory, dropout);
    }

    /** @param length longest passage in tokens @return this shape with that passage length */
    public StepShape withPassageMaxLength(int length) {
        return new StepShape(batchSize, groupSize, queryMaxLength, length, gradientAccumulation, gradCacheChunk,
                crossBatchMemory, dropout);
    }
}
