package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import io.bge4j.core.nn.Scalars;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.plan.LengthChunks;
import java.util.List;

/**
 * GradCache (Gao et al. 2021) around any loss: embed the micro-batch in chunks without a graph, take the
 * loss gradient with respect to the embeddings, then re-run each chunk with a graph and the same
 * dropout seed and back-propagate {@code sum(e · dL/de)}. The parameter gradients are those of the
 * whole batch at the memory cost of one chunk: with dropout off, and with dropout on when the masks are keyed per
 * text ({@link StepStrategy#dropoutKeys}, the default for this step), which makes them independent of the chunking
 * and padding, so any chunk size and a keyed plain step give the same gradients ({@code KeyedGradCacheTest}).
 * Unkeyed, each chunk draws its own masks from a per-chunk engine seed.
 *
 * <p>Chunks are length-aware ({@link LengthChunks#byCount}): each side's texts are sorted by token length
 * before they are cut, so a chunk pads only to its own longest text; the embeddings are put back in the
 * batch's order before the loss, and each replayed chunk takes its own rows of {@code dL/de}.
 */
final class GradCacheStep implements StepStrategy {

    private final int chunk;
    private final boolean keyed;

    GradCacheStep(int chunk) {
        this(chunk, true);
    }

    GradCacheStep(int chunk, boolean keyed) {
        this.chunk = chunk;
        this.keyed = keyed;
    }

    /** @return whether dropout masks are keyed per text */
    boolean keyed() {
        return keyed;
    }

    /** @return texts per chunk */
    int chunk() {
        return chunk;
    }

    @Override
    public StepLosses run(MicroBatch b, Context ctx) {
        LengthChunks qc = LengthChunks.byCount(LengthChunks.lengths(b.queryIds()), chunk);
        LengthChunks pc = LengthChunks.byCount(LengthChunks.lengths(b.passageIds()), chunk);
        // one key per text, derived once and used by both passes
        long[] qKeys = keyed ? StepStrategy.dropoutKeys(ctx.seed(), b.index(), 1, b.queryIds()) : null;
        long[] pKeys = keyed ? StepStrategy.dropoutKeys(ctx.seed(), b.index(), 2, b.passageIds()) : null;
        NDArray q;
        NDArray p;
        try (GradMode.Region r = GradMode.off()) {
            q = embedChunks(ctx, qc, b.queryIds(), qKeys, b.index(), 1);
            p = embedChunks(ctx, pc, b.passageIds(), pKeys, b.index(), 2);
        }
        q.setRequiresGradient(true);
        p.setRequiresGradient(true);
        StepLosses losses;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LossResult r = ctx.loss().compute(ctx.input(q, p, b));
            losses = StepLosses.of(r);
            if (!losses.finite()) {
                return losses;
            }
            gc.backward(r.loss().div(Scalars.of(r.loss(), ctx.accumulation())));
        }
        NDArray dq = q.getGradient();
        NDArray dp = p.getGradient();
        replayChunks(ctx, qc, b.queryIds(), qKeys, dq, b.index(), 1);
        replayChunks(ctx, pc, b.passageIds(), pKeys, dp, b.index(), 2);
        q.setRequiresGradient(false);
        ctx.remember(p, b);
        return losses;
    }

    @Override
    public Padding padding(MicroBatch b) {
        LengthChunks qc = LengthChunks.byCount(LengthChunks.lengths(b.queryIds()), chunk);
        LengthChunks pc = LengthChunks.byCount(LengthChunks.lengths(b.passageIds()), chunk);
        return new Padding(qc.realTokens() + pc.realTokens(), qc.processedTokens() + pc.processedTokens());
    }

    /** The embeddings of every text of one side, without a graph, in the batch's order. */
    private NDArray embedChunks(Context ctx, LengthChunks plan, long[][] ids, long[] keys, long micro, int part) {
        NDList parts = new NDList();
        List<int[]> chunks = plan.chunks();
        for (int k = 0; k < chunks.size(); k++) {
            Engine.getInstance().setRandomSeed(Seeds.dropout(ctx.seed(), micro, part, k));
            try (NDManager cm = ctx.manager().newSubManager()) {
                NDArray e = ctx.model().embed(cm, plan.select(ids, chunks.get(k)), true, select(keys,
                        chunks.get(k)));
                e.attach(ctx.manager());
                parts.add(e);
            }
        }
        NDArray sorted = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
        return plan.restore(sorted);
    }

    /** The keys of one chunk's texts, or null when dropout is not keyed. */
    private static long[] select(long[] keys, int[] chunkRows) {
        if (keys == null) {
            return null;
        }
        long[] out = new long[chunkRows.length];
        for (int j = 0; j < chunkRows.length; j++) {
            out[j] = keys[chunkRows[j]];
        }
        return out;
    }

    /** Re-runs each chunk with a graph and the chunk's dropout seed, back-propagating its rows of {@code grad}. */
    private void replayChunks(Context ctx, LengthChunks plan, long[][] ids, long[] keys, NDArray grad, long micro,
            int part) {
        List<int[]> chunks = plan.chunks();
        for (int k = 0; k < chunks.size(); k++) {
            int[] c = chunks.get(k);
            try (NDManager cm = ctx.manager().newSubManager(); GradientCollector gc = Engine.getInstance()
                    .newGradientCollector()) {
                Engine.getInstance().setRandomSeed(Seeds.dropout(ctx.seed(), micro, part, k));
                NDArray e = ctx.model().embed(cm, plan.select(ids, c), true, select(keys, c));
                long[] rows = new long[c.length];
                for (int j = 0; j < c.length; j++) {
                    rows[j] = c[j];
                }
                NDArray g = grad.get(new NDIndex("{}", cm.create(rows)));
                g.attach(cm);
                gc.backward(e.mul(g).sum());
            }
        }
    }
}
