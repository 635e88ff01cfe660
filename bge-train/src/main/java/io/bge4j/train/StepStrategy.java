package io.bge4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.train.loss.EmbeddingLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.plan.MemoryPlan;
import java.util.Optional;

/**
 * How one micro-batch becomes accumulated parameter gradients: forward, loss, backward. The loop owns
 * everything around it (optimizer, schedule, zeroing, non-finite handling); a strategy only adds
 * {@code (1 / accumulation) · dL/dθ} to the parameters' gradients and reports the loss. Implementations:
 * {@link PlainStep} (one graph over the whole micro-batch) and {@link GradCacheStep} (chunked, same
 * gradients). This is the seam for memory planning and length-aware chunking: a strategy may split
 * the micro-batch however it likes as long as the gradients are those of the whole batch.
 */
interface StepStrategy {

    /**
     * @param batch the micro-batch (texts and token ids)
     * @param ctx model, loss, per-step manager and memory
     * @return the loss parts; when not finite, the strategy must not have back-propagated
     */
    StepLosses run(MicroBatch batch, Context ctx);

    /** @return the strategy for the run's options as configured (no memory plan) */
    static StepStrategy of(RunSettings s) {
        return of(s.config(), s.config().gradientCacheMiniBatch());
    }

    private static StepStrategy of(FinetuneConfig c, int chunk) {
        Boolean keyed = c.keyedDropout();
        return chunk > 0 ? new GradCacheStep(chunk, keyed == null || keyed) : new PlainStep(keyed != null && keyed);
    }

    /**
     * The dropout keys of one side of a micro-batch ({@code BertEncoder.dropoutKey}): a function of the run's seed,
     * the side, the micro-batch and each text's tokens, so every strategy and chunking draws the same masks.
     *
     * @param seed the run's seed
     * @param micro the micro-batch index
     * @param part 1 = queries, 2 = passages
     * @param ids the side's token ids
     * @return one key per text
     */
    static long[] dropoutKeys(long seed, long micro, int part, long[][] ids) {
        long[] keys = new long[ids.length];
        long sideSeed = Seeds.mix(seed, 0xD20F, part);
        for (int i = 0; i < ids.length; i++) {
            keys[i] = io.bge4j.core.nn.BertEncoder.dropoutKey(sideSeed, micro, ids[i]);
        }
        return keys;
    }

    /**
     * @param s the run
     * @param plan the preflight's memory plan: its GradCache chunk (0 = plain) replaces the configured one;
     *     null when no plan could be made (the configured strategy)
     * @return the strategy the plan chose
     */
    static StepStrategy of(RunSettings s, MemoryPlan plan) {
        if (plan == null) {
            return of(s);
        }
        return of(s.config(), plan.gradCacheChunk());
    }

    /**
     * Tokens this strategy encodes for a micro-batch: real (non-padding) and processed (texts × the padded
     * length of the set each is encoded in), summed over queries and passages.
     *
     * @param batch the micro-batch
     * @return the token counts
     */
    Padding padding(MicroBatch batch);

    /**
     * Real and processed tokens of a micro-batch.
     *
     * @param real non-padding tokens
     * @param processed tokens the encoder ran over, padding included
     */
    record Padding(long real, long processed) {

        /** @return the sum of two counts */
        Padding plus(Padding o) {
            return new Padding(real + o.real, processed + o.processed);
        }

        /** @return real / processed, 1 when nothing was processed */
        double efficiency() {
            return processed == 0 ? 1 : real / (double) processed;
        }
    }

    /**
     * What a strategy may use for one micro-batch.
     *
     * @param model the model being trained
     * @param loss the loss
     * @param manager owner of every array of the micro-batch (closed by the loop after it)
     * @param groupSize G
     * @param accumulation micro-batches per optimizer step; the back-propagated loss is divided by it
     * @param seed the run's seed (dropout masks derive from it)
     * @param step completed optimizer steps (0-based index of the step being taken)
     * @param memory the cross-batch memory, if any
     */
    record Context(BgeModel model, EmbeddingLoss loss, NDManager manager, int groupSize, int accumulation, long seed,
            long step, Optional<CrossBatchMemory> memory) {

        /** The loss input, with the memory's negatives once it is past its warm-up (0-based step). */
        LossInput input(NDArray q, NDArray p, MicroBatch b) {
            LossInput in = LossInput.of(q, p, groupSize);
            if (b.teacher() != null) {
                in = in.withTeacherScores(b.teacher());
            }
            in = b.guide() == null ? in : in.withGuideScores(b.guide());
            if (memory.isPresent()) {
                Optional<CrossBatchMemory.MemoryNegatives> neg = memory.get().negatives(step, manager, b.positives());
                if (neg.isPresent()) {
                    in = in.withExtraNegatives(neg.get().embeddings(), neg.get().mask());
                }
            }
            return in;
        }

        /** Adds the batch's passages to the memory (without gradient). */
        void remember(NDArray p, MicroBatch b) {
            if (memory.isPresent()) {
                try (GradMode.Region r = GradMode.off()) {
                    memory.get().add(p, b.passages());
                }
            }
        }
    }

    /**
     * The loss values of one micro-batch.
     *
     * @param loss the total
     * @param contrastive the contrastive part (the total when the loss reports none)
     * @param distillation the distillation part (0 when none)
     * @param maskedCandidates candidates the loss masked out as likely false negatives
     */
    record StepLosses(double loss, double contrastive, double distillation, long maskedCandidates) {

        static StepLosses of(LossResult r) {
            double total = r.loss().getFloat();
            return new StepLosses(total, r.contrastive() == null ? total : r.contrastive().getFloat(),
                    r.distillation() == null ? 0 : r.distillation().getFloat(), r.maskedCandidates());
        }

        boolean finite() {
            return Double.isFinite(loss);
        }
    }
}
