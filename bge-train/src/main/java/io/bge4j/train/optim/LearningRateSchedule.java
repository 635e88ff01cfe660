package io.bge4j.train.optim;

/**
 * Learning rate per optimizer step: a linear warmup from 0 to the peak, then a decay to 0 at the last
 * step, with the same formulas as Hugging Face transformers' {@code get_linear_schedule_with_warmup},
 * {@code get_cosine_schedule_with_warmup} (half a cosine period) and
 * {@code get_constant_schedule_with_warmup}. With W warmup steps and T total steps, at step s
 * (0-based, the number of optimizer steps already taken):
 * <ul>
 *   <li>s &lt; W: {@code peak · s / max(1, W)}</li>
 *   <li>{@link Decay#LINEAR}: {@code peak · max(0, (T − s) / max(1, T − W))}</li>
 *   <li>{@link Decay#COSINE}: {@code peak · max(0, ½(1 + cos(π · (s − W) / max(1, T − W))))}</li>
 *   <li>{@link Decay#CONSTANT}: {@code peak}</li>
 * </ul>
 * A warmup ratio r gives {@code W = ceil(r · T)}, as the transformers Trainer computes it. Past the
 * last step the cosine stays at 0 (transformers' formula would rise again there).
 *
 * <p>Usage:
 * <pre>{@code
 * LearningRateSchedule lr = LearningRateSchedule.builder()
 *     .peakLearningRate(2e-5).totalSteps(1000).warmupRatio(0.1).decay(Decay.LINEAR).build();
 * double rate = lr.learningRate(step);
 * }</pre>
 *
 * @param peakLearningRate the rate reached at the end of warmup
 * @param totalSteps T, optimizer steps of the whole run
 * @param warmupSteps W, steps of linear warmup
 * @param decay the shape after warmup
 */
public record LearningRateSchedule(double peakLearningRate, long totalSteps, long warmupSteps, Decay decay) {

    /**
     * What the learning rate does after warmup.
     *
     * <p>Usage: {@code double f = Decay.COSINE.factor(step, warmupSteps, totalSteps);}
     */
    public enum Decay {
        /** Straight line from the peak to 0 at the last step. */
        LINEAR,
        /** Half a cosine from the peak to 0 at the last step. */
        COSINE,
        /** Stays at the peak. */
        CONSTANT;

        /**
         * @param step optimizer steps already taken (0-based)
         * @param warmupSteps W
         * @param totalSteps T
         * @return the multiplier of the peak rate, in [0, 1]
         */
        public double factor(long step, long warmupSteps, long totalSteps) {
            if (step < warmupSteps) {
                return (double) step / Math.max(1L, warmupSteps);
            }
            double span = Math.max(1L, totalSteps - warmupSteps);
            return switch (this) {
                case LINEAR -> Math.max(0.0, (totalSteps - step) / span);
                case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * Math.min(1.0, (step - warmupSteps) / span))));
                case CONSTANT -> 1.0;
            };
        }
    }

    /** Validates the values and names the bad one. */
    public LearningRateSchedule {
        if (!(peakLearningRate > 0) || !Double.isFinite(peakLearningRate)) {
            throw new IllegalArgumentException("peakLearningRate must be a finite value > 0, got " + peakLearningRate);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warmupSteps must be in [0, totalSteps=" + totalSteps + "], got "
                    + warmupSteps);
        }
        if (decay == null) {
            throw new IllegalArgumentException("decay must not be null (LINEAR, COSINE or CONSTANT)");
        }
    }

    /** @return a builder; peak rate and total steps are required, warmup defaults to 0, decay to LINEAR */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param step optimizer steps already taken (0 for the first update)
     * @return the learning rate for the next update
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public double learningRate(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return peakLearningRate * decay.factor(step, warmupSteps, totalSteps);
    }

    /**
     * Builder for {@link LearningRateSchedule}; set either warmup steps or a warmup ratio, not both.
     *
     * <p>Usage: {@code LearningRateSchedule.builder().peakLearningRate(3e-5).totalSteps(500).warmupSteps(50).build()}
     */
    public static final class Builder {
        private double peakLearningRate = Double.NaN;
        private long totalSteps = -1;
        private Long warmupSteps;
        private Double warmupRatio;
        private Decay decay = Decay.LINEAR;

        private Builder() {}

        /** @param lr the rate at the end of warmup, &gt; 0 @return this */
        public Builder peakLearningRate(double lr) {
            this.peakLearningRate = lr;
            return this;
        }

        /** @param steps optimizer steps of the run, &ge; 1 @return this */
        public Builder totalSteps(long steps) {
            this.totalSteps = steps;
            return this;
        }

        /** @param steps warmup steps, 0..totalSteps @return this */
        public Builder warmupSteps(long steps) {
            this.warmupSteps = steps;
            return this;
        }

        /** @param ratio warmup as a fraction of total steps, in [0, 1]; W = ceil(ratio · T) @return this */
        public Builder warmupRatio(double ratio) {
            this.warmupRatio = ratio;
            return this;
        }

        /** @param shape decay after warmup (default LINEAR) @return this */
        public Builder decay(Decay shape) {
            this.decay = shape;
            return this;
        }

        /**
         * @return the schedule
         * @throws IllegalArgumentException naming the first invalid option
         */
        public LearningRateSchedule build() {
            if (Double.isNaN(peakLearningRate)) {
                throw new IllegalArgumentException("peakLearningRate is required");
            }
            if (totalSteps < 1) {
                throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
            }
            if (warmupSteps != null && warmupRatio != null) {
                throw new IllegalArgumentException("set warmupSteps or warmupRatio, not both (got warmupSteps="
                        + warmupSteps + ", warmupRatio=" + warmupRatio + ")");
            }
            long w = 0;
            if (warmupRatio != null) {
                if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
                    throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
                }
                w = (long) Math.ceil(warmupRatio * totalSteps);
            } else if (warmupSteps != null) {
                w = warmupSteps;
            }
            return new LearningRateSchedule(peakLearningRate, totalSteps, w, decay);
        }
    }
}
