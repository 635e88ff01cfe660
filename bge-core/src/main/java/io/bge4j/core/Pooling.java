package io.bge4j.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.bge4j.core.nn.Scalars;

/**
 * How token vectors become one text vector. BGE models use {@link #CLS}.
 *
 * <p>Usage: {@code NDArray v = Pooling.CLS.pool(hidden, mask);}
 */
public enum Pooling {
    /** The first token's vector ({@code [CLS]} / {@code <s>}): BGE's pooling. */
    CLS,
    /** The mean of the non-padding token vectors. */
    MEAN,
    /** The last non-padding token's vector (right padding assumed). */
    LAST_TOKEN;

    /**
     * @param hidden [batch, tokens, hidden]
     * @param attentionMask int64 [batch, tokens]
     * @return [batch, hidden]
     */
    public NDArray pool(NDArray hidden, NDArray attentionMask) {
        switch (this) {
            case CLS:
                return hidden.get(new NDIndex(":, 0, :"));
            case MEAN: {
                NDArray m = attentionMask.toType(hidden.getDataType(), false).expandDims(2);
                NDArray sums = m.sum(new int[] {1});
                NDArray counts = sums.maximum(Scalars.of(sums, 1e-9));
                return hidden.mul(m).sum(new int[] {1}).div(counts);
            }
            case LAST_TOKEN: {
                long tokens = hidden.getShape().get(1);
                NDArray last = attentionMask.sum(new int[] {1}).sub(1).expandDims(1); // [B,1]
                NDArray positions = hidden.getManager().arange(0, tokens, 1, DataType.INT64).expandDims(0);
                NDArray oneHot = positions.eq(last).toType(hidden.getDataType(), false).expandDims(2);
                return hidden.mul(oneHot).sum(new int[] {1});
            }
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * L2-normalises rows as {@code torch.nn.functional.normalize} does (norm clamped at 1e-12).
     *
     * @param x [batch, hidden]
     * @return normalised rows
     */
    public static NDArray normalize(NDArray x) {
        NDArray raw = x.norm(new int[] {1}, true);
        NDArray norm = raw.maximum(Scalars.of(raw, 1e-12));
        return x.div(norm);
    }
}
