package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.bge4j.core.nn.Scalars;
import io.bge4j.train.loss.LossResult;
import java.util.Arrays;

/**
 * GradCache (Gao et al. 2021) around any loss: embed the micro-batch in chunks without a graph, take the
 * loss gradient with respect to the embeddings, then re-run each chunk with a graph and the same
 * dropout seed and back-propagate {@code sum(e · dL/de)}. The parameter gradients are those of the
 * whole batch (with dropout off; with dropout on, each chunk draws its own masks, which differ from the
 * masks of a one-graph step), at the memory cost of one chunk.
 */
final class GradCacheStep implements StepStrategy {

    private final int chunk;

    GradCacheStep(int chunk) {
        this.chunk = chunk;
    }

    @Override
    public StepLosses run(MicroBatch b, Context ctx) {
        NDManager sm = ctx.manager();
        NDArray q;
        NDArray p;
        try (GradMode.Region r = GradMode.off()) {
            q = embedChunks(ctx, b.queryIds(), b.index(), 1);
            p = embedChunks(ctx, b.passageIds(), b.index(), 2);
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
        replayChunks(ctx, b.queryIds(), dq, b.index(), 1);
        replayChunks(ctx, b.passageIds(), dp, b.index(), 2);
        q.setRequiresGradient(false);
        ctx.remember(p, b);
        return losses;
    }

    private NDArray embedChunks(Context ctx, long[][] ids, long micro, int part) {
        NDList chunks = new NDList();
        for (int start = 0, k = 0; start < ids.length; start += chunk, k++) {
            long[][] c = Arrays.copyOfRange(ids, start, Math.min(ids.length, start + chunk));
            Engine.getInstance().setRandomSeed(Seeds.dropout(ctx.seed(), micro, part, k));
            try (NDManager cm = ctx.manager().newSubManager()) {
                NDArray e = ctx.model().embed(cm, c, true);
                e.attach(ctx.manager());
                chunks.add(e);
            }
        }
        return chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
    }

    private void replayChunks(Context ctx, long[][] ids, NDArray grad, long micro, int part) {
        for (int start = 0, k = 0; start < ids.length; start += chunk, k++) {
            int end = Math.min(ids.length, start + chunk);
            long[][] c = Arrays.copyOfRange(ids, start, end);
            try (NDManager cm = ctx.manager().newSubManager(); GradientCollector gc = Engine.getInstance()
                    .newGradientCollector()) {
                Engine.getInstance().setRandomSeed(Seeds.dropout(ctx.seed(), micro, part, k));
                NDArray e = ctx.model().embed(cm, c, true);
                NDArray g = grad.get(start + ":" + end);
                g.attach(cm);
                gc.backward(e.mul(g).sum());
            }
        }
    }
}
