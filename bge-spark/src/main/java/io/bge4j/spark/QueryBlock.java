package io.bge4j.spark;

import java.io.Serializable;

/** A block of query vectors (row-major) and each query's excluded corpus positions (sorted), broadcast to the search tasks. */
record QueryBlock(float[] queries, int dimension, int[][] excluded) implements Serializable {
}
