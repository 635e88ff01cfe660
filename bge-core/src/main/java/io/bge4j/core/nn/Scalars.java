package io.bge4j.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands that stay alive as long as autograd may need them.
 *
 * <p>DJL's {@code array.div(2f)} (and {@code mul}, {@code maximum}, ... with a {@code Number}) wraps
 * the number in a temporary tensor over a Java direct buffer and closes it right after the op. When
 * the op is recorded for back-propagation, autograd keeps that tensor for the backward pass, but the
 * buffer under it is no longer referenced and the garbage collector may free it: backward then reads
 * freed memory (wrong or NaN gradients, depending on GC timing). Every scalar on a gradient path in
 * bge4j therefore comes from here: a 0-d array owned by the operand's manager, released with it.
 *
 * <p>Usage: {@code NDArray scaled = q.div(Scalars.of(q, Math.sqrt(headSize)));}
 */
public final class Scalars {

    private Scalars() {}

    /**
     * @param like the array the scalar will be combined with (gives manager, device and dtype)
     * @param value the value
     * @return a 0-d array attached to {@code like}'s manager
     */
    public static NDArray of(NDArray like, double value) {
        NDArray s = like.getManager().create((float) value);
        return s.getDataType() == like.getDataType() ? s : s.toType(like.getDataType(), false);
    }
}
