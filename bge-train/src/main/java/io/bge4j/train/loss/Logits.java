package io.bge4j.train.loss;

import io.bge4j.core.nn.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The score computation the contrastive losses share: {@code S = Q·Pᵀ / τ} over the batch's passages
 * (in-batch) or each query's own group, the column of each query's positive, and the helpers that keep
 * every array on the queries' manager.
 */
final class Logits {

    private Logits() {}

    /**
     * The scores of a batch and where each query's own group starts among their columns.
     *
     * @param scores B×(B·G) in-batch or B×G group-only logits
     * @param groupStart per query, the column of its positive ({@code i·G} in-batch, 0 group-only)
     */
    record Batch(NDArray scores, long[] groupStart) {}

    /**
     * @param in the loss input (its data types are checked here)
     * @param temperature τ
     * @param inBatch whether every query is scored against all B·G passages
     * @return the logits and the positive columns, owned by the queries' manager
     * @throws IllegalArgumentException if the embeddings are neither float32 nor float64, or differ in type
     */
    static Batch of(LossInput in, double temperature, boolean inBatch) {
        NDArray q = in.queries();
        DataType dt = q.getDataType();
        if (dt != DataType.FLOAT32 && dt != DataType.FLOAT64) {
            throw new IllegalArgumentException("embeddings must be float32 or float64, got " + dt);
        }
        if (in.passages().getDataType() != dt) {
            throw new IllegalArgumentException("passages are " + in.passages().getDataType()
                    + " but queries are " + dt + "; use one data type");
        }
        NDManager mgr = q.getManager();
        int b = in.batchSize();
        int g = in.groupSize();
        long d = q.getShape().get(1);
        long[] groupStart = new long[b];
        if (inBatch) {
            NDArray pT = own(in.passages().transpose(), mgr);
            for (int i = 0; i < b; i++) {
                groupStart[i] = (long) i * g;
            }
            return new Batch(q.matMul(pT).div(Scalars.of(q, temperature)), groupStart); // B × B·G
        }
        NDArray pGroups = own(own(in.passages().reshape(b, g, d), mgr).transpose(0, 2, 1), mgr); // B × d × G
        return new Batch(q.expandDims(1).batchMatMul(pGroups).reshape(b, g).div(Scalars.of(q, temperature)),
                groupStart); // B × G
    }

    /** The most negative finite value of the type, used to mask a logit out of a softmax. */
    static double lowest(DataType dt) {
        return dt == DataType.FLOAT64 ? -Double.MAX_VALUE : -Float.MAX_VALUE;
    }

    /** A constant of the embeddings' type (float64, or float32 rounded from {@code values}). */
    static NDArray constant(NDManager mgr, double[] values, Shape shape, DataType dt) {
        if (dt == DataType.FLOAT64) {
            return mgr.create(values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return mgr.create(f, shape);
    }

    /** Moves an intermediate created on another operand's manager to the step manager. */
    static NDArray own(NDArray array, NDManager mgr) {
        if (array.getManager() != mgr) {
            array.attach(mgr);
        }
        return array;
    }
}
