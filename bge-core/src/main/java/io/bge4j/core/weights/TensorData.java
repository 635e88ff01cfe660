package io.bge4j.core.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor held in heap memory (row-major), as read from or written to a weights file.
 *
 * <p>Usage: {@code new TensorData("pooler.dense.bias", new long[] {384}, new float[384])}
 *
 * @param name the Hugging Face parameter name
 * @param shape the dimensions, outermost first
 * @param data row-major values; length equals the product of {@code shape}
 */
public record TensorData(String name, long[] shape, float[] data) {

    /** Validates that the data length matches the shape. */
    public TensorData {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " (" + n + " values) but " + data.length + " values were given");
        }
    }

    /**
     * @param shape dimensions
     * @return their product (1 for a scalar)
     * @throws IllegalArgumentException on a negative dimension or overflow
     */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** @return a copy of this tensor transposed from [rows, cols] to [cols, rows] */
    public TensorData transposed2d(String newName) {
        if (shape.length != 2) {
            throw new IllegalStateException("tensor '" + name + "' is not 2-d: " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        float[] t = new float[data.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = data[base + c];
            }
        }
        return new TensorData(newName, new long[] {cols, rows}, t);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData[" + name + " " + Arrays.toString(shape) + "]";
    }
}
