package io.bge4j.core.search;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A read-only view of {@code rows × dimension} float vectors, backed either by one flat row-major
 * {@code float[]} or by a {@code float[][]} (one array per row, no copy). The arrays are not copied,
 * so do not change them while a search runs.
 *
 * <p>Usage: {@code EmbeddingMatrix corpus = EmbeddingMatrix.of(embedder.encodeCorpus(texts));}
 */
public final class EmbeddingMatrix {
    private final float[] flat;
    private final float[][] rowArrays;
    private final int rows;
    private final int dimension;

    private EmbeddingMatrix(float[] flat, float[][] rowArrays, int rows, int dimension) {
        this.flat = flat;
        this.rowArrays = rowArrays;
        this.rows = rows;
        this.dimension = dimension;
    }

    /**
     * Wraps one array per row.
     *
     * @param rows vectors of equal length (at least one element each); may be empty
     * @return the matrix (a view, not a copy)
     * @throws IllegalArgumentException when rows differ in length or are empty
     */
    public static EmbeddingMatrix of(float[][] rows) {
        Objects.requireNonNull(rows, "rows");
        int dim = rows.length == 0 ? 0 : Objects.requireNonNull(rows[0], "row 0").length;
        for (int i = 0; i < rows.length; i++) {
            Objects.requireNonNull(rows[i], () -> "row is null");
            if (rows[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " values but row 0 has " + dim + "; every vector must have the same dimension");
            }
        }
        if (rows.length > 0 && dim == 0) {
            throw new IllegalArgumentException("vectors must have at least one dimension");
        }
        return new EmbeddingMatrix(null, rows, rows.length, dim);
    }

    /**
     * Wraps a flat row-major array ({@code data[row * dimension + col]}).
     *
     * @param data the values; its length must be a multiple of {@code dimension}
     * @param dimension the vector dimension, positive
     * @return the matrix (a view, not a copy)
     */
    public static EmbeddingMatrix wrap(float[] data, int dimension) {
        Objects.requireNonNull(data, "data");
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be positive, was " + dimension);
        }
        if (data.length % dimension != 0) {
            throw new IllegalArgumentException("data length " + data.length
                    + " is not a multiple of dimension " + dimension);
        }
        return new EmbeddingMatrix(data, null, data.length / dimension, dimension);
    }

    /** @return the number of vectors */
    public int rows() {
        return rows;
    }

    /** @return the vector dimension (0 only for an empty matrix built from {@code float[0][]}) */
    public int dimension() {
        return dimension;
    }

    /**
     * @param row 0-based row
     * @return a copy of that vector
     */
    public float[] row(int row) {
        Objects.checkIndex(row, rows);
        if (rowArrays != null) {
            return rowArrays[row].clone();
        }
        float[] out = new float[dimension];
        System.arraycopy(flat, row * dimension, out, 0, dimension);
        return out;
    }

    /**
     * Copies {@code count} consecutive rows into {@code target} at its current position.
     *
     * @param from first row
     * @param count number of rows
     * @param target receives {@code count * dimension()} floats
     */
    public void copyRows(int from, int count, FloatBuffer target) {
        Objects.checkFromIndexSize(from, count, rows);
        if (rowArrays != null) {
            for (int r = from; r < from + count; r++) {
                target.put(rowArrays[r]);
            }
        } else {
            target.put(flat, from * dimension, count * dimension);
        }
    }

    /**
     * @return all values, row-major, as a new array
     */
    public float[] toFlatArray() {
        float[] out = new float[Math.multiplyExact(rows, dimension)];
        copyRows(0, rows, FloatBuffer.wrap(out));
        return out;
    }

    /** @return one new array per row */
    public float[][] toRowArrays() {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = row(r);
        }
        return out;
    }

    /**
     * @param row 0-based row
     * @param col 0-based column
     * @return one value
     */
    public float get(int row, int col) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, dimension);
        return rowArrays != null ? rowArrays[row][col] : flat[row * dimension + col];
    }
}
