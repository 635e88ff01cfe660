package io.bge4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import io.bge4j.core.nn.Scalars;
import io.bge4j.train.loss.LossResult;
import io.bge4j.train.plan.LengthChunks;

/** One graph over the whole micro-batch: embed queries and passages with dropout, loss, backward. */
final class PlainStep implements StepStrategy {

    private final boolean keyed;

    /** A plain step with the engine's ordinary dropout. */
    PlainStep() {
        this(false);
    }

    /** @param keyed whether dropout masks are keyed per text ({@link StepStrategy#dropoutKeys}) */
    PlainStep(boolean keyed) {
        this.keyed = keyed;
    }

    /** @return whether dropout masks are keyed per text */
    boolean keyed() {
        return keyed;
    }

    @Override
    public StepLosses run(MicroBatch b, Context ctx) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Engine.getInstance().setRandomSeed(Seeds.dropout(ctx.seed(), b.index(), 0, 0));
            NDArray q = ctx.model().embed(ctx.manager(), b.queryIds(), true,
                    keyed ? StepStrategy.dropoutKeys(ctx.seed(), b.index(), 1, b.queryIds()) : null);
            NDArray p = ctx.model().embed(ctx.manager(), b.passageIds(), true,
                    keyed ? StepStrategy.dropoutKeys(ctx.seed(), b.index(), 2, b.passageIds()) : null);
            LossResult r = ctx.loss().compute(ctx.input(q, p, b));
            StepLosses losses = StepLosses.of(r);
            if (losses.finite()) {
                gc.backward(r.loss().div(Scalars.of(r.loss(), ctx.accumulation())));
            }
            ctx.remember(p, b);
            return losses;
        }
    }

    /** Queries pad to the longest query, passages to the longest passage. */
    @Override
    public Padding padding(MicroBatch b) {
        return side(b.queryIds()).plus(side(b.passageIds()));
    }

    private static Padding side(long[][] ids) {
        LengthChunks one = LengthChunks.byCount(LengthChunks.lengths(ids), Math.max(1, ids.length));
        return new Padding(one.realTokens(), one.processedTokens());
    }
}
