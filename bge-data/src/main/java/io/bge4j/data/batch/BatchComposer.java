package io.bge4j.data.batch;

import io.bge4j.data.Seeds;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups examples into batches for contrastive training, reproducibly from a seed and an epoch
 * number:
 * <ul>
 *   <li><b>No duplicate texts in a batch.</b> With in-batch negatives every passage in the batch is
 *       a negative for every other query, so a passage that is positive for one query must not
 *       appear anywhere in another example of the same batch. Each example's texts (query,
 *       positives, negatives, after {@link TextNormalizer normalisation}) must be disjoint from
 *       every other example's in its batch; an example that clashes is deferred to a later batch,
 *       never dropped. Within one example, repeated passages and negatives that read the same as a
 *       positive are removed (and counted; their teacher scores go with them).</li>
 *   <li><b>Same data set per batch</b> (optional): batches hold examples of one
 *       {@link TrainingExample#source()} only, as FlagEmbedding does for multi-task data.</li>
 *   <li><b>Length bucketing</b> (optional): examples sorted by their longest passage (random tie
 *       order) so that a batch holds similar lengths and pads less; batch order is then shuffled.</li>
 * </ul>
 *
 * <p>Usage:
 * <pre>{@code
 * BatchComposer composer = BatchComposer.builder().batchSize(32).seed(42)
 *     .sameDatasetPerBatch(true).lengthBucketing(text -> tokenizer.encode(text).length).build();
 * for (int epoch = 0; epoch < 2; epoch++) {
 *     for (Batch b : composer.compose(train, epoch).batches()) trainer.step(b.examples());
 * }
 * }</pre>
 */
public final class BatchComposer {
    private static final Logger LOG = LoggerFactory.getLogger(BatchComposer.class);

    private final int batchSize;
    private final long seed;
    private final boolean sameDataset;
    private final ToIntFunction<String> lengthFn;
    private final int lookahead;
    private final boolean dropIncomplete;
    private final boolean shuffle;

    private BatchComposer(Builder b) {
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.sameDataset = b.sameDataset;
        this.lengthFn = b.lengthFn;
        this.lookahead = b.lookahead == -1 ? 8 * b.batchSize : b.lookahead;
        this.dropIncomplete = b.dropIncomplete;
        this.shuffle = b.shuffle;
    }

    /** @return a builder: batch size 32, seed 42, mixed data sets, no bucketing, shuffled */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param set the examples
     * @param epoch the epoch (changes the order, reproducibly)
     * @return the plan
     */
    public BatchPlan compose(TrainingSet set, int epoch) {
        return compose(set.examples(), epoch);
    }

    /**
     * @param examples the examples
     * @param epoch the epoch (changes the order, reproducibly)
     * @return the plan
     */
    public BatchPlan compose(List<TrainingExample> examples, int epoch) {
        Random rng = new Random(Seeds.derive(seed, epoch));
        long[] removed = new long[2];
        Map<String, List<Item>> groups = new LinkedHashMap<>();
        for (TrainingExample e : examples) {
            Item it = prepare(e, removed);
            String key = sameDataset ? String.valueOf(e.source()) : "";
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(it);
        }
        List<List<TrainingExample>> batchLists = new ArrayList<>();
        List<String> batchDatasets = new ArrayList<>();
        List<TrainingExample> leftover = new ArrayList<>();
        int deferred = 0;
        int incomplete = 0;
        for (Map.Entry<String, List<Item>> g : groups.entrySet()) {
            List<Item> items = g.getValue();
            if (shuffle) {
                Collections.shuffle(items, rng);
            }
            if (lengthFn != null) {
                items.sort(Comparator.comparingInt(Item::length)); // stable: shuffled order breaks ties
            }
            Composed c = greedy(items);
            deferred += c.deferred;
            String dataset = sameDataset ? items.get(0).example.source() : null;
            for (List<TrainingExample> b : c.batches) {
                if (b.size() < batchSize) {
                    if (dropIncomplete) {
                        leftover.addAll(b);
                        continue;
                    }
                    incomplete++;
                }
                batchLists.add(b);
                batchDatasets.add(dataset);
            }
        }
        List<Integer> order = new ArrayList<>(batchLists.size());
        for (int i = 0; i < batchLists.size(); i++) {
            order.add(i);
        }
        if (shuffle) {
            Collections.shuffle(order, rng);
        }
        List<Batch> batches = new ArrayList<>(order.size());
        for (int i : order) {
            batches.add(new Batch(batches.size(), batchDatasets.get(i), batchLists.get(i)));
        }
        BatchReport report = new BatchReport(examples.size(), batches.size(), incomplete, deferred, leftover.size(),
                removed[0], removed[1]);
        if (deferred > 0 || leftover.size() > 0 || removed[0] + removed[1] > 0) {
            LOG.info("epoch {}: {} batches; {} examples deferred to avoid duplicate texts, {} left over, {} repeated "
                    + "passages and {} negatives equal to a positive removed", epoch, batches.size(), deferred,
                    leftover.size(), removed[0], removed[1]);
        }
        return new BatchPlan(batches, leftover, report);
    }

    private record Item(TrainingExample example, String[] keys, int length) {
    }

    private record Composed(List<List<TrainingExample>> batches, int deferred) {
    }

    /** Greedy first-fit over a list: take each example that does not clash, defer the rest. */
    private Composed greedy(List<Item> items) {
        int n = items.size();
        boolean[] taken = new boolean[n];
        boolean[] wasDeferred = new boolean[n];
        int deferred = 0;
        int head = 0;
        List<List<TrainingExample>> batches = new ArrayList<>();
        while (head < n) {
            List<TrainingExample> batch = new ArrayList<>(batchSize);
            Set<String> used = new HashSet<>();
            for (int i = head; i < n && batch.size() < batchSize; i++) {
                if (taken[i]) {
                    continue;
                }
                Item it = items.get(i);
                if (clashes(it.keys, used)) {
                    if (!wasDeferred[i]) {
                        wasDeferred[i] = true;
                        deferred++;
                    }
                    // past the lookahead, only keep scanning when the batch is still far from full
                    if (i - head > lookahead && batch.size() >= batchSize / 2) {
                        break;
                    }
                    continue;
                }
                Collections.addAll(used, it.keys);
                batch.add(it.example);
                taken[i] = true;
            }
            batches.add(batch);
            while (head < n && taken[head]) {
                head++;
            }
        }
        return new Composed(batches, deferred);
    }

    private static boolean clashes(String[] keys, Set<String> used) {
        for (String k : keys) {
            if (used.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /** Removes in-example repeats and negatives equal to a positive; computes clash keys and length. */
    private Item prepare(TrainingExample e, long[] removed) {
        Set<String> keys = new HashSet<>();
        keys.add(TextNormalizer.normalize(e.query()));
        Set<String> passages = new HashSet<>();
        List<String> pos = new ArrayList<>(e.positives().size());
        List<Double> posScores = e.positiveScores() == null ? null : new ArrayList<>();
        for (int i = 0; i < e.positives().size(); i++) {
            String p = e.positives().get(i);
            if (passages.add(TextNormalizer.normalize(p))) {
                pos.add(p);
                if (posScores != null) {
                    posScores.add(e.positiveScores().get(i));
                }
            } else {
                removed[0]++;
            }
        }
        Set<String> positiveKeys = new HashSet<>(passages);
        List<String> neg = new ArrayList<>(e.negatives().size());
        List<Double> negScores = e.negativeScores() == null ? null : new ArrayList<>();
        for (int i = 0; i < e.negatives().size(); i++) {
            String t = e.negatives().get(i);
            String norm = TextNormalizer.normalize(t);
            if (positiveKeys.contains(norm)) {
                removed[1]++;
            } else if (!passages.add(norm)) {
                removed[0]++;
            } else {
                neg.add(t);
                if (negScores != null) {
                    negScores.add(e.negativeScores().get(i));
                }
            }
        }
        keys.addAll(passages);
        TrainingExample cleaned = pos.size() == e.positives().size() && neg.size() == e.negatives().size() ? e
                : new TrainingExample(e.query(), pos, neg, posScores, negScores, e.prompt(), e.type(), e.source());
        int length = 0;
        if (lengthFn != null) {
            for (String p : cleaned.positives()) {
                length = Math.max(length, lengthFn.applyAsInt(p));
            }
            for (String p : cleaned.negatives()) {
                length = Math.max(length, lengthFn.applyAsInt(p));
            }
        }
        return new Item(cleaned, keys.toArray(new String[0]), length);
    }

    /**
     * Options of a {@link BatchComposer}; {@link #build()} validates them.
     *
     * <p>Usage: {@code BatchComposer.builder().batchSize(64).seed(7).lengthBucketing(String::length).build()}
     */
    public static final class Builder {
        private int batchSize = 32;
        private long seed = 42;
        private boolean sameDataset;
        private ToIntFunction<String> lengthFn;
        private int lookahead = -1;
        private boolean dropIncomplete;
        private boolean shuffle = true;

        private Builder() {
        }

        /**
         * @param batchSize examples (queries) per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param seed drives every shuffle
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param same whether each batch holds examples of one {@link TrainingExample#source()} only
         * @return this builder
         */
        public Builder sameDatasetPerBatch(boolean same) {
            this.sameDataset = same;
            return this;
        }

        /**
         * @param lengthOf measures a passage (e.g. in tokens); enables length bucketing (null: off)
         * @return this builder
         */
        public Builder lengthBucketing(ToIntFunction<String> lengthOf) {
            this.lengthFn = lengthOf;
            return this;
        }

        /**
         * @param lookahead how far past the first unplaced example to search for a non-clashing one
         *     before closing a batch that is at least half full (default 8 × batch size)
         * @return this builder
         */
        public Builder lookahead(int lookahead) {
            this.lookahead = lookahead;
            return this;
        }

        /**
         * @param drop whether batches smaller than the batch size are left out (their examples are
         *     returned as {@link BatchPlan#leftover()}, never lost)
         * @return this builder
         */
        public Builder dropIncomplete(boolean drop) {
            this.dropIncomplete = drop;
            return this;
        }

        /**
         * @param shuffle whether examples and batch order are shuffled (default true); when false,
         *     examples are taken in input order (still deferring clashes)
         * @return this builder
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * @return the composer
         * @throws IllegalArgumentException naming the bad option
         */
        public BatchComposer build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
            }
            if (lookahead < -1) {
                throw new IllegalArgumentException("lookahead must be >= 0 (or -1 for 8 x batchSize), was " + lookahead);
            }
            return new BatchComposer(this);
        }
    }
}
