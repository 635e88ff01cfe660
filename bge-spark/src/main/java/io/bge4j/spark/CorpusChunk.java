package io.bge4j.spark;

import java.io.Serializable;

/**
 * One contiguous slice of the corpus as a search task sees it: global corpus positions (ascending)
 * and their vectors, row-major.
 */
record CorpusChunk(int[] positions, float[] vectors, int dimension) implements Serializable {
}
