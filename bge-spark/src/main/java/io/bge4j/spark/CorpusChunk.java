package io.bge4j.spark;

import java.io.Serializable;

/**
 * One contiguous slice of the corpus as a search task sees it: global corpus positions (ascending)
 * and their vectors, row-major. A plain class rather than a record so that Kryo, when a job
 * configures it as Spark's serializer, can rebuild it.
 */
final class CorpusChunk implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] positions;
    private final float[] vectors;
    private final int dimension;

    CorpusChunk(int[] positions, float[] vectors, int dimension) {
        this.positions = positions;
        this.vectors = vectors;
        this.dimension = dimension;
    }

    int[] positions() {
        return positions;
    }

    float[] vectors() {
        return vectors;
    }

    int dimension() {
        return dimension;
    }
}
