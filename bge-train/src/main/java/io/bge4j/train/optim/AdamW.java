package io.bge4j.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adam with decoupled weight decay, as {@code torch.optim.AdamW}, over named parameters.
 *
 * <p>For each parameter with a gradient g, at its t-th update with learning rate lr:
 * <pre>
 * p ← p − lr·λ·p                      (only when the parameter decays)
 * m ← β₁·m + (1 − β₁)·g
 * v ← β₂·v + (1 − β₂)·g²
 * p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Parameters use Hugging Face names; by default biases and LayerNorm weights do not decay
 * ({@link #DEFAULT_NO_DECAY}). Parameters without a gradient are skipped, as torch skips those
 * whose {@code grad} is {@code None}. Updates happen in place on the parameter arrays, outside any
 * gradient collector, with every temporary array in a sub-manager closed before {@code step} returns.
 * Gradients accumulate across backward passes in DJL, so call {@link #zeroGradients(Map)} after each
 * step.
 *
 * <p>Usage:
 * <pre>{@code
 * try (AdamW adamw = AdamW.builder().weightDecay(0.01).build()) {
 *     double norm = GradientClipping.clipByGlobalNorm(params, 1.0);
 *     adamw.step(params, schedule.learningRate(adamw.stepCount()));
 *     AdamW.zeroGradients(params);
 * }
 * }</pre>
 */
public final class AdamW implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdamW.class);

    /**
     * Names that do not decay, following the Hugging Face Trainer's grouping: any bias, and the weights
     * of LayerNorm layers ({@code LayerNorm}, {@code layer_norm}, {@code layernorm}, {@code ln_*}).
     */
    public static final Predicate<String> DEFAULT_NO_DECAY = AdamW::isBiasOrNorm;

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Predicate<String> noDecay;

    private final Map<String, AdamWSlot> slots = new LinkedHashMap<>();
    private final Map<String, AdamWState.Moments> pending = new LinkedHashMap<>();
    private NDManager stateManager;
    private long stepCount;
    private boolean closed;

    private AdamW(Builder b) {
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        this.noDecay = b.noDecay;
    }

    /** @return a builder with torch's defaults except weight decay 0.01: β = (0.9, 0.999), ε = 1e-8 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return how many times {@link #step} ran (the step index to ask a schedule for next) */
    public long stepCount() {
        return stepCount;
    }

    /**
     * @param name a Hugging Face parameter name
     * @return whether weight decay applies to it
     */
    public boolean decays(String name) {
        return weightDecay != 0 && !noDecay.test(name);
    }

    /**
     * Applies one update to every parameter that has a gradient.
     *
     * @param parameters name → parameter array (float32 or float64) whose gradient holds dL/dp
     * @param learningRate the rate for this step, &ge; 0
     * @throws IllegalArgumentException on a negative or non-finite rate, or a parameter whose shape
     *     differs from its imported state
     * @throws IllegalStateException after {@link #close()}
     */
    public void step(Map<String, NDArray> parameters, double learningRate) {
        if (closed) {
            throw new IllegalStateException("AdamW is closed");
        }
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and >= 0, got " + learningRate);
        }
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            if (!p.hasGradient()) {
                continue;
            }
            if (stateManager == null) {
                stateManager = p.getManager().newSubManager();
            }
            AdamWSlot slot = slots.computeIfAbsent(name, n -> newSlot(n, p));
            slot.step++;
            update(name, p, slot, learningRate);
        }
        stepCount++;
    }

    private void update(String name, NDArray p, AdamWSlot slot, double lr) {
        double bc1 = 1.0 - Math.pow(beta1, slot.step);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, slot.step));
        try (NDManager scope = stateManager.newSubManager()) {
            p.tempAttach(scope);
            slot.m.tempAttach(scope);
            slot.v.tempAttach(scope);
            NDArray g = p.getGradient(); // a new handle, owned by scope since p is attached there
            if (decays(name)) {
                p.muli(1.0 - lr * weightDecay);
            }
            slot.m.muli(beta1).addi(g.mul(1.0 - beta1));
            slot.v.muli(beta2).addi(g.square().muli(1.0 - beta2));
            NDArray denom = slot.v.sqrt().divi(bc2Sqrt).addi(epsilon);
            p.subi(slot.m.div(denom).muli(lr / bc1));
        }
    }

    private AdamWSlot newSlot(String name, NDArray p) {
        DataType dt = p.getDataType();
        if (dt != DataType.FLOAT32 && dt != DataType.FLOAT64) {
            throw new IllegalArgumentException("parameter '" + name + "' is " + dt + "; AdamW needs float32 or float64");
        }
        AdamWState.Moments restored = pending.remove(name);
        return restored == null ? AdamWSlot.zeros(stateManager, p) : AdamWSlot.restore(stateManager, name, p, restored);
    }

    /**
     * Copies the state to the heap (moments as float32), for a checkpoint.
     *
     * @return step count and per-parameter moments, including imported ones not used yet
     */
    public AdamWState exportState() {
        Map<String, AdamWState.Moments> out = new LinkedHashMap<>();
        slots.forEach((name, s) -> out.put(name, s.export(name)));
        pending.forEach(out::putIfAbsent);
        return new AdamWState(stepCount, out);
    }

    /**
     * Replaces the state with a checkpoint's; moments are loaded into each parameter's data type and
     * device at its next update.
     *
     * @param state a state from {@link #exportState()} or {@link AdamWState#load}
     */
    public void importState(AdamWState state) {
        Objects.requireNonNull(state, "state");
        if (closed) {
            throw new IllegalStateException("AdamW is closed");
        }
        slots.values().forEach(AdamWSlot::close);
        slots.clear();
        pending.clear();
        pending.putAll(state.moments());
        stepCount = state.step();
        LOG.debug("AdamW state imported: step {}, {} parameters", stepCount, pending.size());
    }

    /**
     * Sets every parameter's gradient to zero in place (DJL accumulates gradients across backward passes).
     *
     * @param parameters name → parameter
     */
    public static void zeroGradients(Map<String, NDArray> parameters) {
        for (NDArray p : parameters.values()) {
            if (!p.hasGradient()) {
                continue;
            }
            try (NDManager scope = p.getManager().newSubManager()) {
                p.tempAttach(scope);
                p.getGradient().muli(0);
            }
        }
    }

    /** Frees the moment arrays. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (stateManager != null) {
                stateManager.close();
            }
            slots.clear();
        }
    }

    private static boolean isBiasOrNorm(String name) {
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        if (leaf.equals("bias") || leaf.endsWith("_bias")) {
            return true;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.contains("layernorm") || lower.contains("layer_norm") || lower.contains(".ln_")
                || lower.startsWith("ln_") || lower.contains("norm.weight");
    }

    /**
     * Builder for {@link AdamW}; {@link #build()} validates every option.
     *
     * <p>Usage: {@code AdamW.builder().betas(0.9, 0.98).epsilon(1e-6).weightDecay(0.1).build()}
     */
    public static final class Builder {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double weightDecay = 0.01;
        private Predicate<String> noDecay = DEFAULT_NO_DECAY;

        private Builder() {}

        /** @param b1 first-moment decay in [0, 1) @param b2 second-moment decay in [0, 1) @return this */
        public Builder betas(double b1, double b2) {
            this.beta1 = b1;
            this.beta2 = b2;
            return this;
        }

        /** @param eps added to the denominator, &gt; 0 (default 1e-8) @return this */
        public Builder epsilon(double eps) {
            this.epsilon = eps;
            return this;
        }

        /** @param lambda decoupled weight decay, &ge; 0 (default 0.01) @return this */
        public Builder weightDecay(double lambda) {
            this.weightDecay = lambda;
            return this;
        }

        /** @param exclude parameter names that must not decay (default {@link #DEFAULT_NO_DECAY}) @return this */
        public Builder noDecay(Predicate<String> exclude) {
            this.noDecay = exclude;
            return this;
        }

        /**
         * @return the optimizer
         * @throws IllegalArgumentException naming the first invalid option
         */
        public AdamW build() {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite value > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be a finite value >= 0, got " + weightDecay);
            }
            if (noDecay == null) {
                throw new IllegalArgumentException("noDecay must not be null (use name -> false to decay everything)");
            }
            return new AdamW(this);
        }
    }
}
