package io.bge4j.train.memory;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.bge4j.core.weights.TensorData;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of a {@link CrossBatchMemory}: a first-in-first-out ring of {@code capacity} embedding
 * rows in its own native buffer (allocated on the device and in the data type of the first batch),
 * with the text of each row, and its float32 snapshot for a checkpoint.
 */
final class MemoryRing implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrossBatchMemory.class);

    private final int capacity;
    private final String[] texts;
    private NDManager manager;
    private NDArray buffer; // capacity × d
    private int next; // slot the next row goes to
    private int size;

    MemoryRing(int capacity) {
        this.capacity = capacity;
        this.texts = new String[capacity];
    }

    int size() {
        return size;
    }

    /** @return the manager owning the buffer, or {@code null} before the first batch */
    NDManager manager() {
        return manager;
    }

    /**
     * Writes N rows without gradient, the oldest entries evicted beyond the capacity.
     *
     * @throws IllegalArgumentException when the dimension or data type differs from the rows held
     */
    void write(NDArray embeddings, List<String> passageTexts) {
        Shape s = embeddings.getShape();
        int n = passageTexts.size();
        if (buffer == null) {
            manager = NDManager.newBaseManager(embeddings.getDevice());
            buffer = manager.zeros(new Shape(capacity, s.get(1)), embeddings.getDataType());
            LOG.debug("cross-batch memory allocated: {} × {} {}", capacity, s.get(1), embeddings.getDataType());
        } else if (s.get(1) != buffer.getShape().get(1) || embeddings.getDataType() != buffer.getDataType()) {
            throw new IllegalArgumentException("embeddings are " + s + " " + embeddings.getDataType()
                    + " but the memory holds d=" + buffer.getShape().get(1) + " " + buffer.getDataType());
        }
        int skip = Math.max(0, n - capacity); // only the newest rows fit
        try (NDManager scope = manager.newSubManager()) {
            embeddings.tempAttach(scope);
            buffer.tempAttach(scope);
            NDArray rows = embeddings.stopGradient();
            int row = skip;
            while (row < n) {
                int run = Math.min(n - row, capacity - next);
                buffer.set(new NDIndex(next + ":" + (next + run)), rows.get(new NDIndex(row + ":" + (row + run))));
                for (int k = 0; k < run; k++) {
                    texts[next + k] = passageTexts.get(row + k);
                }
                row += run;
                next = (next + run) % capacity;
                size = Math.min(capacity, size + run);
            }
        }
    }

    /** @return a copy of the {@link #size()} rows held, owned by {@code owner} (call only when non-empty) */
    NDArray copyRows(NDManager owner) {
        NDArray copy;
        try (NDManager scope = manager.newSubManager()) {
            buffer.tempAttach(scope);
            copy = (size == capacity ? buffer : buffer.get(new NDIndex("0:" + size))).duplicate();
            copy.attach(owner);
        }
        return copy;
    }

    /** @return the texts of the rows held, in row order */
    String[] texts() {
        return Arrays.copyOf(texts, size);
    }

    /** @return the content (empty before the first batch) */
    Optional<CrossBatchMemory.Snapshot> snapshot() {
        if (buffer == null || size == 0) {
            return Optional.empty();
        }
        float[] data;
        long d = buffer.getShape().get(1);
        try (NDManager scope = manager.newSubManager()) {
            buffer.tempAttach(scope);
            NDArray rows = buffer.get(new NDIndex("0:" + size));
            data = rows.getDataType() == DataType.FLOAT32 ? rows.toFloatArray()
                    : rows.toType(DataType.FLOAT32, false).toFloatArray();
        }
        return Optional.of(new CrossBatchMemory.Snapshot(Arrays.asList(texts).subList(0, size),
                new TensorData("memory", new long[] {size, d}, data), next));
    }

    /**
     * Replaces the content with a snapshot's, in a new float32 buffer on {@code device}.
     *
     * @throws IllegalArgumentException when the snapshot does not fit the capacity
     */
    void restore(CrossBatchMemory.Snapshot snap, Device device) {
        int n = snap.texts().size();
        if (n > capacity || snap.next() < 0 || snap.next() >= capacity) {
            throw new IllegalArgumentException("snapshot of " + n + " entries (next slot " + snap.next()
                    + ") does not fit a memory of capacity " + capacity);
        }
        if (manager != null) {
            manager.close();
        }
        long d = snap.rows().shape()[1];
        manager = NDManager.newBaseManager(device);
        buffer = manager.zeros(new Shape(capacity, d), DataType.FLOAT32);
        try (NDManager scope = manager.newSubManager()) {
            buffer.tempAttach(scope);
            buffer.set(new NDIndex("0:" + n), scope.create(snap.rows().data(), new Shape(n, d)));
        }
        Arrays.fill(texts, null);
        for (int i = 0; i < n; i++) {
            texts[i] = snap.texts().get(i);
        }
        size = n;
        next = snap.next();
    }

    /** Forgets every entry; keeps the buffer. */
    void clear() {
        size = 0;
        next = 0;
        Arrays.fill(texts, null);
    }

    /** Frees the native buffer. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
