package io.bge4j.train.rerank;

import io.bge4j.core.rerank.EncodedPair;
import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reranker's data: the examples it can train on (those with a negative), whether it distils, and
 * each batch's groups of pairs.
 */
final class RerankGroups {
    private static final Logger LOG = LoggerFactory.getLogger(RerankerFinetuner.class);

    /** One group batch: pairs in group order (positive first) and teacher scores or null. */
    record GroupBatch(List<EncodedPair> pairs, float[] teacher, int groups) {}

    private final RerankOptions o;
    private final List<TrainingExample> usable;
    private final int skipped;
    private final boolean distill;

    private RerankGroups(RerankOptions o, List<TrainingExample> usable, int skipped, boolean distill) {
        this.o = o;
        this.usable = usable;
        this.skipped = skipped;
        this.distill = distill;
    }

    /**
     * Leaves out (with a warning) the examples without a negative and decides distillation.
     *
     * @throws IllegalArgumentException when no example has a negative, or distillation is ON and an
     *     example has no teacher scores (naming it)
     */
    static RerankGroups prepare(RerankOptions o) {
        List<TrainingExample> usable = new ArrayList<>();
        for (TrainingExample e : o.examples()) {
            if (!e.negatives().isEmpty()) {
                usable.add(e);
            }
        }
        int skipped = o.examples().size() - usable.size();
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no training example has a negative; mine negatives first"
                    + " (bge4j mine, or DenseNegativeMiner / Bm25NegativeSampler)");
        }
        if (skipped > 0) {
            LOG.warn("{} of {} examples have no negatives and are left out", skipped, o.examples().size());
        }
        boolean distill = switch (o.distillation()) {
            case OFF -> false;
            case ON -> {
                for (int i = 0; i < usable.size(); i++) {
                    if (usable.get(i).positiveScores() == null || usable.get(i).negativeScores() == null) {
                        throw new IllegalArgumentException("distillation is ON but example " + i + " (query '"
                                + usable.get(i).query() + "') has no pos_scores/neg_scores; score the file first"
                                + " (bge4j score) or use Distillation.AUTO");
                    }
                }
                yield true;
            }
            case AUTO -> usable.stream().allMatch(e -> e.positiveScores() != null && e.negativeScores() != null);
        };
        return new RerankGroups(o, usable, skipped, distill);
    }

    List<TrainingExample> usable() {
        return usable;
    }

    int skipped() {
        return skipped;
    }

    boolean distill() {
        return distill;
    }

    /**
     * Draws each example's group: a random positive, then G−1 negatives without replacement (from the
     * negatives repeated {@code ceil((G−1)/n)} times when there are fewer than G−1, as FlagEmbedding).
     */
    static GroupBatch draw(RerankOptions o, List<TrainingExample> batch, Random rnd, boolean distill) {
        int groupSize = o.groupSize();
        List<EncodedPair> pairs = new ArrayList<>(batch.size() * groupSize);
        float[] teacher = distill ? new float[batch.size() * groupSize] : null;
        int t = 0;
        for (TrainingExample e : batch) {
            String prompt = e.prompt() != null ? e.prompt() : o.queryInstruction();
            String query = prompt + e.query();
            int pos = rnd.nextInt(e.positives().size());
            List<Integer> pool = new ArrayList<>();
            int repeat = Math.max(1, (groupSize - 1 + e.negatives().size() - 1) / e.negatives().size());
            for (int r = 0; r < repeat; r++) {
                for (int i = 0; i < e.negatives().size(); i++) {
                    pool.add(i);
                }
            }
            for (int i = 0; i < groupSize - 1; i++) {  // partial Fisher-Yates: the first G-1 of a shuffle
                Collections.swap(pool, i, i + rnd.nextInt(pool.size() - i));
            }
            pairs.add(o.model().pairTokenizer().encode(query, o.passageInstruction() + e.positives().get(pos),
                    o.limits()));
            if (teacher != null) {
                teacher[t++] = e.positiveScores().get(pos).floatValue();
            }
            for (int i = 0; i < groupSize - 1; i++) {
                int n = pool.get(i);
                pairs.add(o.model().pairTokenizer().encode(query, o.passageInstruction() + e.negatives().get(n),
                        o.limits()));
                if (teacher != null) {
                    teacher[t++] = e.negativeScores().get(n).floatValue();
                }
            }
        }
        return new GroupBatch(pairs, teacher, batch.size());
    }

    /** {@link #draw} with this run's distillation choice. */
    GroupBatch draw(List<TrainingExample> batch, Random rnd) {
        return draw(o, batch, rnd, distill);
    }
}
