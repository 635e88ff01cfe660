package io.bge4j.train.plan;

import io.bge4j.core.EncoderConfig;
import java.util.List;

/**
 * Estimates the peak memory of a training step from the encoder's architecture and the step's sizes, and
 * decides how to run the step in the memory available: the plain step, GradCache with the largest chunk that
 * fits, or a preflight error.
 *
 * <p>The formula (bytes; f = 4 for fp32 activations, L layers, H hidden, I intermediate, A heads; a text set
 * of n texts padded to T tokens):
 * <pre>
 * weights   = P * w            gradients = P * w        moments = 2 * P * 4   (P from the config, w = weight bytes)
 * tokenTerm(n,T)     = n*T*f * [ L*(12H + 2I) + 3H + (2I + 4H) ]   (dropout on; 8H + 2I without)
 * attentionTerm(n,T) = n*A*T²*f * [ L*3 + 2 ]                       (dropout on; L*1 + 2 without)
 * activations(n,T)   = tokenScale * tokenTerm + attentionScale * attentionTerm
 * step activations   = activations of the texts encoded with a graph at once + V*H*f
 * </pre>
 * Per layer autograd keeps the inputs of the Q/K/V, output, and FFN linears, the scaled queries and
 * transposed keys, the values, both LayerNorm inputs, the GELU input and the dropout masks (CPU dropout
 * multiplies by a float mask and keeps both factors); per attention head it keeps the softmax output, its
 * dropout mask and the dropped-out probabilities, each T² floats per text. The bracketed constants outside
 * the L-sums are the embedding layer and one layer's backward temporaries; V*H*f is the dense
 * word-embedding gradient that the embedding backward builds before adding it to the parameter's gradient. The plain step holds the
 * queries' and the passages' graphs at once; GradCache holds one chunk's graph (the larger of a query and a
 * passage chunk) plus the whole batch's embeddings and their gradients. Every text is counted at its maximum
 * length, because one long text pads its whole chunk.
 *
 * <p>Usage:
 * <pre>{@code
 * MemoryPlanner planner = MemoryPlanner.builder().config(model.config()).build();
 * MemoryPlan plan = planner.plan(shape, MemoryAvailability.probe(model.device())).requireFits();
 * int chunk = plan.gradCacheChunk(); // 0 = plain step
 * }</pre>
 */
public final class MemoryPlanner {

    private static final int FLOAT = 4;

    private final EncoderConfig config;
    private final int weightBytes;
    private final MemoryCalibration calibration;
    private final double headroom;
    private final long maxChunkTokens;

    private MemoryPlanner(Builder b) {
        this.config = b.config;
        this.weightBytes = b.weightBytes;
        this.calibration = b.calibration;
        this.headroom = b.headroom;
        this.maxChunkTokens = b.maxChunkTokens;
    }

    /** @return a builder; {@link Builder#config} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the calibration in use */
    public MemoryCalibration calibration() {
        return calibration;
    }

    /** @return the fraction of the budget kept free, e.g. 0.2 */
    public double headroom() {
        return headroom;
    }

    /** @return padded tokens per GradCache chunk the planner picks at most when it turns GradCache on (0 = no cap) */
    public long maxChunkTokens() {
        return maxChunkTokens;
    }

    /** @return the number of parameters of the encoder (embeddings, layers; no pooler) */
    public long parameterCount() {
        long h = config.hiddenSize();
        long i = config.intermediateSize();
        long emb = ((long) config.vocabSize() + config.maxPositionEmbeddings() + config.typeVocabSize()) * h + 2 * h;
        long layer = 4 * h * h + 2 * h * i + 9 * h + i;
        return emb + config.numHiddenLayers() * layer;
    }

    /**
     * @param texts texts encoded together with a graph
     * @param length padded length in tokens
     * @param dropout dropout active
     * @return the unscaled per-token term of the formula, bytes
     */
    public double tokenTerm(int texts, int length, boolean dropout) {
        long h = config.hiddenSize();
        long i = config.intermediateSize();
        long perLayer = dropout ? 12 * h + 2 * i : 8 * h + 2 * i;
        return (double) texts * length * FLOAT * (config.numHiddenLayers() * perLayer + 3 * h + 2 * i + 4 * h);
    }

    /**
     * @param texts texts encoded together with a graph
     * @param length padded length in tokens
     * @param dropout dropout active
     * @return the unscaled attention term of the formula (texts x heads x length²), bytes
     */
    public double attentionTerm(int texts, int length, boolean dropout) {
        int perLayer = dropout ? 3 : 1;
        return (double) texts * config.numAttentionHeads() * length * (double) length * FLOAT
                * (config.numHiddenLayers() * perLayer + 2);
    }

    /**
     * @param texts texts encoded together with a graph
     * @param length padded length in tokens
     * @param dropout dropout active
     * @return calibrated activation bytes of one forward + backward of that text set
     */
    public long activationBytes(int texts, int length, boolean dropout) {
        if (texts <= 0) {
            return 0;
        }
        return (long) (calibration.tokenScale() * tokenTerm(texts, length, dropout)
                + calibration.attentionScale() * attentionTerm(texts, length, dropout));
    }

    /**
     * The estimated peak of one step.
     *
     * @param s the step's sizes
     * @return the estimate, term by term
     */
    public MemoryEstimate estimate(StepShape s) {
        long p = parameterCount();
        long h = config.hiddenSize();
        int queries = s.batchSize();
        int passages = s.passages();
        long act;
        long vectors = (long) (queries + passages) * h * FLOAT * 2; // embeddings and their gradients
        if (s.gradCacheChunk() == 0) {
            act = activationBytes(queries, s.queryMaxLength(), s.dropout())
                    + activationBytes(passages, s.passageMaxLength(), s.dropout());
        } else {
            int c = s.gradCacheChunk();
            act = Math.max(activationBytes(Math.min(c, queries), s.queryMaxLength(), s.dropout()),
                    activationBytes(Math.min(c, passages), s.passageMaxLength(), s.dropout()));
            vectors += (long) Math.min(c, passages) * h * FLOAT * 2; // the replayed chunk and its upstream gradient
        }
        act += (long) config.vocabSize() * h * FLOAT; // dense word-embedding gradient of the backward
        vectors += (long) s.crossBatchMemory() * h * FLOAT;
        long columns = (long) passages + s.crossBatchMemory();
        long loss = (long) queries * columns * FLOAT * 4; // scores, softmax, log-probabilities, gradient
        return new MemoryEstimate(calibration.runtimeBytes(), p * weightBytes, p * weightBytes, 2 * p * FLOAT, act,
                vectors, loss);
    }

    /**
     * Decides how to run the step: as asked when it fits; else GradCache with the largest chunk that fits
     * (the same gradients, so the batch is kept), but when the planner turns GradCache on itself no more than
     * {@link Builder#maxChunkTokens} padded tokens per chunk; else {@link MemoryPlan.Decision#DOES_NOT_FIT} with what to
     * change. A GradCache chunk the user asked for is kept when it fits and lowered when it does not.
     *
     * @param s the step as configured
     * @param available what this process may use
     * @return the plan (call {@link MemoryPlan#requireFits()} to fail in preflight)
     */
    public MemoryPlan plan(StepShape s, MemoryAvailability available) {
        long budget = budget(available);
        long usable = (long) (budget * (1 - headroom));
        MemoryEstimate asked = estimate(s);
        if (MemoryFit.fits(asked, available, usable)) {
            MemoryPlan.Decision d = s.gradCacheChunk() == 0 ? MemoryPlan.Decision.PLAIN : MemoryPlan.Decision.GRAD_CACHE;
            return new MemoryPlan(d, s, s, asked, asked, available, budget, usable, headroom,
                    d == MemoryPlan.Decision.PLAIN ? "the plain step fits" : "GradCache chunk " + s.gradCacheChunk()
                            + " as configured fits", List.of());
        }
        int maxChunk = s.gradCacheChunk() > 0 ? s.gradCacheChunk() - 1 : Math.max(s.batchSize(), s.passages());
        int largest = MemoryFit.largestChunk(this, s, available, usable, maxChunk);
        int chunk = largest;
        String capped = "";
        if (s.gradCacheChunk() == 0 && maxChunkTokens > 0) {
            int cap = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    maxChunkTokens / Math.max(s.queryMaxLength(), s.passageMaxLength())));
            if (largest > cap) {
                chunk = cap;
                capped = " (chunks of up to " + largest + " would fit; the planner stops at " + maxChunkTokens
                        + " padded tokens per chunk, since larger chunks cost memory without being much faster)";
            }
        }
        if (chunk > 0) {
            StepShape chosen = s.withGradCacheChunk(chunk);
            String why = (s.gradCacheChunk() == 0 ? "the plain step needs " : "GradCache chunk " + s.gradCacheChunk()
                    + " needs ") + MemoryEstimate.gib(asked.total()) + " GiB of " + MemoryEstimate.gib(usable)
                    + " GiB usable; GradCache with chunks of " + chunk + " texts gives the same gradients and keeps"
                    + " the batch of " + s.batchSize() + " x " + s.groupSize() + capped;
            return new MemoryPlan(MemoryPlan.Decision.GRAD_CACHE, s, chosen, asked, estimate(chosen), available,
                    budget, usable, headroom, why, List.of());
        }
        MemoryEstimate one = estimate(s.withGradCacheChunk(1));
        return new MemoryPlan(MemoryPlan.Decision.DOES_NOT_FIT, s, s.withGradCacheChunk(1), asked, one, available,
                budget, usable, headroom, "not even GradCache with chunks of 1 text fits: it needs "
                        + MemoryEstimate.gib(one.total()) + " GiB of " + MemoryEstimate.gib(usable) + " GiB usable",
                MemoryFit.advice(this, s, available, usable, one));
    }

    private long budget(MemoryAvailability a) {
        return a.onGpu() ? a.gpuFreeBytes().getAsLong() : a.hostBudgetBytes();
    }

    /** Builder of {@link MemoryPlanner}; {@link #build()} validates and does not alter the builder. */
    public static final class Builder {
        private EncoderConfig config;
        private int weightBytes = 4;
        private MemoryCalibration calibration = MemoryCalibration.DEFAULT;
        private double headroom = 0.2;
        private long maxChunkTokens = 4096;

        private Builder() {}

        /** @param c the encoder's architecture (required) @return this */
        public Builder config(EncoderConfig c) {
            this.config = c;
            return this;
        }

        /** @param bytes bytes per parameter and per gradient: 4 (fp32, default) or 2 (fp16/bf16) @return this */
        public Builder weightBytes(int bytes) {
            this.weightBytes = bytes;
            return this;
        }

        /** @param c the measured constants (default {@link MemoryCalibration#DEFAULT}) @return this */
        public Builder calibration(MemoryCalibration c) {
            this.calibration = c;
            return this;
        }

        /** @param fraction part of the budget kept free for what the formula does not count, in [0, 1) @return this */
        public Builder headroom(double fraction) {
            this.headroom = fraction;
            return this;
        }

        /**
         * @param tokens when the planner turns GradCache on, at most this many padded tokens per chunk (chunk
         *     texts x the longer max length; default 4096, 16 passages of 256 tokens): GradCache costs about one
         *     extra forward whatever the chunk, so a chunk past a few thousand tokens buys memory use, not speed.
         *     0 = the largest chunk that fits. A chunk the user configured is never raised or capped by this
         * @return this
         */
        public Builder maxChunkTokens(long tokens) {
            this.maxChunkTokens = tokens;
            return this;
        }

        /** @return the planner @throws IllegalArgumentException naming the bad option */
        public MemoryPlanner build() {
            if (config == null) {
                throw new IllegalArgumentException("config is required: MemoryPlanner.builder().config(model.config())");
            }
            if (weightBytes != 2 && weightBytes != 4) {
                throw new IllegalArgumentException("weightBytes must be 2 or 4, got " + weightBytes);
            }
            if (calibration == null) {
                throw new IllegalArgumentException("calibration must not be null");
            }
            if (maxChunkTokens < 0) {
                throw new IllegalArgumentException("maxChunkTokens must be >= 0 (0 = no cap), got " + maxChunkTokens);
            }
            if (!(headroom >= 0 && headroom < 1)) {
                throw new IllegalArgumentException("headroom must be in [0, 1), got " + headroom);
            }
            return new MemoryPlanner(this);
        }
    }
}
