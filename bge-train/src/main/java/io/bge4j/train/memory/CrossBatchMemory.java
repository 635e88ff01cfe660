package io.bge4j.train.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bge4j.core.weights.TensorData;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A first-in-first-out memory of recent passage embeddings and their texts, used as extra negatives
 * (cross-batch memory): the batch size the loss sees grows by the memory size at the cost of
 * slightly stale embeddings, which is why the memory only serves negatives from a warm-up step on,
 * when embeddings have stopped moving fast.
 *
 * <p>Embeddings are stored detached (no gradient) in the memory's own native buffer, on the device of
 * the first batch added. A memory entry with the same text as a query's positive is masked out for that
 * query, so a passage never serves as its own negative.
 *
 * <p>Per step: first ask for the negatives (they hold the previous batches), then add the current
 * batch's passages.
 *
 * <p>Usage:
 * <pre>{@code
 * try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(4096).warmupSteps(100).build()) {
 *     LossInput in = LossInput.of(q, p, groupSize);
 *     Optional<MemoryNegatives> neg = memory.negatives(step, stepManager, positiveTexts);
 *     if (neg.isPresent()) {
 *         in = in.withExtraNegatives(neg.get().embeddings(), neg.get().mask());
 *     }
 *     ... loss, backward ...
 *     memory.add(p, passageTexts);
 * }
 * }</pre>
 */
public final class CrossBatchMemory implements AutoCloseable {

    private final int capacity;
    private final long warmupSteps;
    private final MemoryRing ring;
    private boolean closed;

    /**
     * Negatives served by the memory for one step.
     *
     * <p>Usage: {@code in.withExtraNegatives(n.embeddings(), n.mask())}
     *
     * @param embeddings M×d copy owned by the caller's manager, without gradient
     * @param mask B×M, {@code true} where entry m has the same text as query i's positive
     * @param texts the M entry texts, in row order
     */
    public record MemoryNegatives(NDArray embeddings, boolean[][] mask, List<String> texts) {

        /** Requires the parts to be present. */
        public MemoryNegatives {
            Objects.requireNonNull(embeddings, "embeddings");
            Objects.requireNonNull(mask, "mask");
            texts = List.copyOf(texts);
        }
    }

    private CrossBatchMemory(Builder b) {
        this.capacity = b.capacity;
        this.warmupSteps = b.warmupSteps;
        this.ring = new MemoryRing(b.capacity);
    }

    /** @return a builder; capacity is required, warm-up defaults to 0 steps */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the most entries held */
    public int capacity() {
        return capacity;
    }

    /** @return the first step (0-based) at which negatives are served */
    public long warmupSteps() {
        return warmupSteps;
    }

    /** @return entries held now */
    public int size() {
        return ring.size();
    }

    /**
     * @param step the current optimizer step (0-based)
     * @return whether {@link #negatives} serves entries at this step
     */
    public boolean isActive(long step) {
        return step >= warmupSteps && ring.size() > 0;
    }

    /**
     * Adds a batch of passage embeddings, evicting the oldest entries beyond the capacity. The rows are
     * copied without gradient; the caller keeps ownership of {@code embeddings}.
     *
     * @param embeddings N×d passage embeddings
     * @param passageTexts the N texts, in row order
     * @throws IllegalArgumentException if the counts or the dimension disagree with earlier batches
     */
    public void add(NDArray embeddings, List<String> passageTexts) {
        checkOpen();
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(passageTexts, "passageTexts");
        Shape s = embeddings.getShape();
        if (s.dimension() != 2 || s.get(0) != passageTexts.size()) {
            throw new IllegalArgumentException("embeddings must be N×d with N = passageTexts.size() = "
                    + passageTexts.size() + ", got " + s);
        }
        int n = passageTexts.size();
        if (n == 0) {
            return;
        }
        ring.write(embeddings, passageTexts);
    }

    /**
     * The memory's entries as extra negatives for this step, with the mask that hides, for each query,
     * the entries whose text equals its positive.
     *
     * @param step the current optimizer step (0-based)
     * @param stepManager owner of the returned copy (close it after the step)
     * @param positiveTexts the positive text of each query of the batch, in query order
     * @return the negatives, or empty during warm-up or while the memory is empty
     */
    public Optional<MemoryNegatives> negatives(long step, NDManager stepManager, List<String> positiveTexts) {
        checkOpen();
        Objects.requireNonNull(stepManager, "stepManager");
        Objects.requireNonNull(positiveTexts, "positiveTexts");
        if (!isActive(step)) {
            return Optional.empty();
        }
        NDArray copy = ring.copyRows(stepManager);
        String[] entryTexts = ring.texts();
        int size = entryTexts.length;
        boolean[][] mask = new boolean[positiveTexts.size()][size];
        for (int i = 0; i < mask.length; i++) {
            String positive = positiveTexts.get(i);
            for (int m = 0; m < size; m++) {
                mask[i][m] = entryTexts[m].equals(positive);
            }
        }
        return Optional.of(new MemoryNegatives(copy, mask, List.of(entryTexts)));
    }

    /**
     * The memory's content, for a checkpoint: rows in slot order and the next slot to write.
     *
     * <p>Usage: {@code memory.snapshot().ifPresent(s -> save(s))}
     *
     * @param texts the texts of slots {@code 0 .. size-1}
     * @param rows {@code size × d} embeddings of those slots (float32)
     * @param next the slot the next row goes to
     */
    public record Snapshot(List<String> texts, TensorData rows, int next) {

        /** Requires one text per row. */
        public Snapshot {
            texts = List.copyOf(texts);
            if (rows.shape().length != 2 || rows.shape()[0] != texts.size()) {
                throw new IllegalArgumentException("rows must be " + texts.size() + " × d, got "
                        + Arrays.toString(rows.shape()));
            }
        }
    }

    /** @return the content (empty before the first batch) */
    public Optional<Snapshot> snapshot() {
        checkOpen();
        return ring.snapshot();
    }

    /**
     * Replaces the content with a snapshot's (the memory must have the snapshot's capacity or more).
     *
     * @param snap a snapshot from {@link #snapshot()}
     * @param device where the buffer lives
     */
    public void restore(Snapshot snap, ai.djl.Device device) {
        checkOpen();
        ring.restore(snap, device);
    }

    /** Forgets every entry (e.g. when the model changes abruptly); keeps the buffer. */
    public void clear() {
        checkOpen();
        ring.clear();
    }

    /** @return the manager owning the buffer, or {@code null} before the first batch (for tests) */
    NDManager bufferManager() {
        return ring.manager();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CrossBatchMemory is closed");
        }
    }

    /** Frees the native buffer. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ring.close();
        }
    }

    /**
     * Builder for {@link CrossBatchMemory}; {@link #build()} validates every option.
     *
     * <p>Usage: {@code CrossBatchMemory.builder().capacity(2048).warmupSteps(200).build()}
     */
    public static final class Builder {
        private int capacity;
        private long warmupSteps;

        private Builder() {}

        /** @param entries most passage embeddings held, &ge; 1 @return this */
        public Builder capacity(int entries) {
            this.capacity = entries;
            return this;
        }

        /** @param steps steps before negatives are served, &ge; 0 (default 0) @return this */
        public Builder warmupSteps(long steps) {
            this.warmupSteps = steps;
            return this;
        }

        /**
         * @return the memory
         * @throws IllegalArgumentException naming the first invalid option
         */
        public CrossBatchMemory build() {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be >= 1 (number of passage embeddings kept), got "
                        + capacity);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
            }
            return new CrossBatchMemory(this);
        }
    }
}
