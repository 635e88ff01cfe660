package io.bge4j.spark;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The per-partition work of {@link BgeEmbeddingTransformer}: reads up to {@code sortWindow} rows,
 * encodes their texts with the executor's cached model ({@link BgeEmbedder} sorts them by token
 * length into batches and restores their order), appends the vectors and emits the rows in input
 * order. Memory per task is one window of rows and vectors.
 */
final class PartitionEncoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String modelPath;
    private final boolean query;
    private final String queryInstruction;
    private final int batchSize;
    private final int maxLength;
    private final int sortWindow;
    private final boolean vectorOutput;
    private final int inputIndex;
    private final String inputCol;

    PartitionEncoder(String modelPath, boolean query, String queryInstruction, int batchSize, int maxLength,
            int sortWindow, boolean vectorOutput, int inputIndex, String inputCol) {
        this.modelPath = modelPath;
        this.query = query;
        this.queryInstruction = queryInstruction;
        this.batchSize = batchSize;
        this.maxLength = maxLength;
        this.sortWindow = sortWindow;
        this.vectorOutput = vectorOutput;
        this.inputIndex = inputIndex;
        this.inputCol = inputCol;
    }

    /** Encodes texts (used by the transformer's windows and by {@link SparkEmbedder}). */
    float[][] encode(List<String> texts) {
        try (ExecutorModels.Lease lease = ExecutorModels.acquire(modelPath)) {
            BgeModel model = lease.model();
            BgeEmbedder.Builder b = model.embedder().batchSize(batchSize);
            if (maxLength > 0) {
                b.maxLength(Math.min(maxLength, model.maxLength()));
            }
            if (queryInstruction != null) {
                b.queryInstruction(queryInstruction);
            }
            BgeEmbedder e = b.build();
            synchronized (lease.forwardLock()) {
                return query ? e.encodeQueries(texts) : e.encodeCorpus(texts);
            }
        }
    }

    Iterator<Row> apply(Iterator<Row> rows) {
        return new Iterator<>() {
            private final List<Row> window = new ArrayList<>(sortWindow);
            private float[][] vectors;
            private int next;
            private long seen;

            @Override
            public boolean hasNext() {
                if (vectors != null && next < window.size()) {
                    return true;
                }
                fill();
                return next < window.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = window.get(next);
                float[] v = vectors[next];
                next++;
                Object[] values = new Object[r.length() + 1];
                for (int i = 0; i < r.length(); i++) {
                    values[i] = r.get(i);
                }
                values[r.length()] = vectorOutput ? Vectors.dense(toDoubles(v)) : v;
                return RowFactory.create(values);
            }

            private void fill() {
                window.clear();
                next = 0;
                List<String> texts = new ArrayList<>(sortWindow);
                while (window.size() < sortWindow && rows.hasNext()) {
                    Row r = rows.next();
                    seen++;
                    if (r.isNullAt(inputIndex)) {
                        throw new Bge4jException("column '" + inputCol + "' is null in row " + (seen - 1)
                                + " of this partition; drop or fill null texts before encoding (e.g. na().fill(\"\"))");
                    }
                    window.add(r);
                    texts.add(r.getString(inputIndex));
                }
                vectors = texts.isEmpty() ? new float[0][] : encode(texts);
            }
        };
    }

    static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
