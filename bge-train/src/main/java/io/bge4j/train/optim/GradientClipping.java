package io.bge4j.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_}: the L2 norm N over all
 * gradients together; if N exceeds the maximum, every gradient is scaled in place by
 * {@code max / (N + 1e-6)}.
 *
 * <p>Usage: {@code double preClipNorm = GradientClipping.clipByGlobalNorm(params, 1.0);}
 */
public final class GradientClipping {

    private static final Logger LOG = LoggerFactory.getLogger(GradientClipping.class);
    private static final double TINY = 1e-6;

    private GradientClipping() {}

    /**
     * @param parameters name → parameter; those without a gradient are ignored
     * @return the L2 norm of all gradients together (NaN or infinite if a gradient is)
     */
    public static double globalNorm(Map<String, NDArray> parameters) {
        double sumSquares = 0;
        for (NDArray p : parameters.values()) {
            if (!p.hasGradient()) {
                continue;
            }
            try (NDManager scope = p.getManager().newSubManager()) {
                p.tempAttach(scope);
                NDArray g = p.getGradient();
                NDArray sq = g.getDataType() == DataType.FLOAT64 ? g.square() : g.toType(DataType.FLOAT64, false).square();
                sumSquares += sq.sum().getDouble();
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales all gradients in place so that their global norm is at most {@code maxNorm}.
     *
     * @param parameters name → parameter; those without a gradient are ignored
     * @param maxNorm the largest allowed global norm, &gt; 0
     * @return the global norm before clipping; when it is not finite the gradients are left as they are
     */
    public static double clipByGlobalNorm(Map<String, NDArray> parameters, double maxNorm) {
        if (!(maxNorm > 0) || Double.isNaN(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        double norm = globalNorm(parameters);
        if (!Double.isFinite(norm)) {
            LOG.warn("gradient norm is {}; gradients left unclipped", norm);
            return norm;
        }
        double coefficient = maxNorm / (norm + TINY);
        if (coefficient < 1.0) {
            for (NDArray p : parameters.values()) {
                if (!p.hasGradient()) {
                    continue;
                }
                try (NDManager scope = p.getManager().newSubManager()) {
                    p.tempAttach(scope);
                    p.getGradient().muli(coefficient);
                }
            }
        }
        return norm;
    }
}
