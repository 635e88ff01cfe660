package io.bge4j.spark;

import java.io.Serializable;

/**
 * A block of query vectors (row-major) and each query's excluded corpus positions (sorted),
 * broadcast to the search tasks. A plain class so that Kryo can rebuild it.
 */
final class QueryBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] queries;
    private final int dimension;
    private final int[][] excluded;

    QueryBlock(float[] queries, int dimension, int[][] excluded) {
        this.queries = queries;
        this.dimension = dimension;
        this.excluded = excluded;
    }

    float[] queries() {
        return queries;
    }

    int dimension() {
        return dimension;
    }

    int[][] excluded() {
        return excluded;
    }
}
