package io.bge4j.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.bge4j.core.weights.TensorData;
import java.util.Arrays;

/**
 * One parameter's AdamW moments, owned by the optimizer's state manager, in the parameter's data type
 * and on its device, and their float32 heap copies for a checkpoint.
 */
final class AdamWSlot {
    final NDArray m;
    final NDArray v;
    long step;

    private AdamWSlot(NDArray m, NDArray v, long step) {
        this.m = m;
        this.v = v;
        this.step = step;
    }

    /** Zero moments shaped as {@code p}. */
    static AdamWSlot zeros(NDManager manager, NDArray p) {
        DataType dt = p.getDataType();
        return new AdamWSlot(manager.zeros(p.getShape(), dt, p.getDevice()), manager.zeros(p.getShape(), dt, p.getDevice()),
                0);
    }

    /**
     * The moments of an imported state, converted to {@code p}'s data type and device.
     *
     * @throws IllegalArgumentException when their shape is not the parameter's
     */
    static AdamWSlot restore(NDManager manager, String name, NDArray p, AdamWState.Moments restored) {
        if (!Arrays.equals(p.getShape().getShape(), restored.firstMoment().shape())) {
            throw new IllegalArgumentException("imported optimizer state for '" + name + "' has shape "
                    + Arrays.toString(restored.firstMoment().shape()) + " but the parameter is " + p.getShape());
        }
        DataType dt = p.getDataType();
        return new AdamWSlot(fromHeap(manager, restored.firstMoment(), dt, p),
                fromHeap(manager, restored.secondMoment(), dt, p), restored.step());
    }

    /** @return a heap copy (float32) of the moments and their step count */
    AdamWState.Moments export(String name) {
        return new AdamWState.Moments(step, toHeap(name, m), toHeap(name, v));
    }

    void close() {
        m.close();
        v.close();
    }

    private static NDArray fromHeap(NDManager manager, TensorData t, DataType dt, NDArray like) {
        NDArray a = manager.create(t.data(), new Shape(t.shape())).toDevice(like.getDevice(), false);
        if (dt == DataType.FLOAT32) {
            return a;
        }
        NDArray converted = a.toType(dt, false);
        if (converted != a) {
            a.close();
        }
        return converted;
    }

    private static TensorData toHeap(String name, NDArray a) {
        float[] data;
        if (a.getDataType() == DataType.FLOAT32) {
            data = a.toFloatArray();
        } else {
            double[] d = a.toDoubleArray();
            data = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                data[i] = (float) d[i];
            }
        }
        return new TensorData(name, a.getShape().getShape(), data);
    }
}
