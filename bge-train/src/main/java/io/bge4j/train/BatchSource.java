package io.bge4j.train;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.batch.Batch;
import io.bge4j.data.batch.BatchComposer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The micro-batches of a run, each a pure function of (seed, micro-batch index, current examples).
 *
 * <p><b>Batches per epoch are fixed</b>: {@code floor(N / B)} micro-batches of exactly B queries (N
 * examples, batch size B); the remainder is dropped for that epoch (its examples are reshuffled into
 * the next one), like a data loader with {@code drop_last}. When N &lt; B the epoch is one batch of all
 * N. Should duplicate-text deferral leave fewer full batches than that, incomplete batches fill the
 * epoch, and its batches are reused in order when still short (reported once).
 *
 * <p><b>Group sampling</b> follows FlagEmbedding: one random positive, G−1 negatives without replacement
 * (repeated when fewer). An example without negatives borrows positives of other examples, but never a
 * positive (or any text) of a query in the same batch and never the same text twice in one group.
 * Teacher scores reach the loss only for batches in which every example has complete scores and none
 * borrowed.
 *
 * <p><b>Guide scores</b> (guided masking): when the run has a {@link GuideScorer}, every micro-batch
 * also carries the guide's similarities of its queries to its candidates, computed without gradient.
 * The source owns the scorer and closes it in {@link #close()}.
 */
final class BatchSource implements AutoCloseable {

    private final RunSettings s;
    private final BatchComposer composer;
    private final RunLog log;
    private final long microPerEpoch;
    private final GuideScorer guide;
    private List<TrainingExample> examples;
    private List<String> borrowPool;
    private long planEpoch = -1;
    private List<Batch> plan;
    private boolean reportedShort;

    BatchSource(RunSettings s, List<TrainingExample> examples, RunLog log) {
        this(s, examples, log, null);
    }

    /**
     * The run's batches, with its guide when guided masking is on (the default guide is copied from the
     * model now, so call this before the first update).
     */
    static BatchSource open(RunSettings s, List<TrainingExample> examples, RunLog log) {
        GuideScorer guide = GuideScorer.open(s, examples, log);
        try {
            return new BatchSource(s, examples, log, guide);
        } catch (RuntimeException e) {
            if (guide != null) {
                guide.close();
            }
            throw e;
        }
    }

    /** As above, with the guide that scores every micro-batch ({@code null} for none); closed with this source. */
    BatchSource(RunSettings s, List<TrainingExample> examples, RunLog log, GuideScorer guide) {
        this.s = s;
        this.log = log;
        this.guide = guide;
        this.examples = List.copyOf(examples);
        int b = s.config().batchSize();
        this.microPerEpoch = examples.size() >= b ? examples.size() / b : 1;
        BatchComposer.Builder cb = BatchComposer.builder().batchSize(b).seed(s.config().seed());
        if (s.config().lengthBucketing()) {
            BgeModel model = s.model();
            int max = s.passageMaxLength();
            cb.lengthBucketing(text -> Math.min(max, model.tokenizer().countTokens(text)));
        }
        this.composer = cb.build();
    }

    long microBatchesPerEpoch() {
        return microPerEpoch;
    }

    long stepsPerEpoch() {
        return Math.max(1, microPerEpoch / s.config().gradientAccumulation());
    }

    List<TrainingExample> examples() {
        return examples;
    }

    /** Trains on {@code refreshed} from the next micro-batch on (e.g. re-mined negatives). */
    void replaceExamples(List<TrainingExample> refreshed) {
        this.examples = List.copyOf(refreshed);
        this.planEpoch = -1;
        this.borrowPool = null;
    }

    /** The examples of global micro-batch {@code micro} in its epoch's seeded plan. */
    List<TrainingExample> examplesOf(long micro) {
        long perEpoch = stepsPerEpoch() * s.config().gradientAccumulation();
        long epoch = micro / perEpoch;
        int within = (int) (micro % perEpoch);
        if (epoch != planEpoch) {
            plan = epochPlan((int) epoch, perEpoch);
            planEpoch = epoch;
        }
        return plan.get(within % plan.size()).examples();
    }

    /** Full batches first, then (only if deferral left too few) the incomplete ones, at most {@code perEpoch}. */
    private List<Batch> epochPlan(int epoch, long perEpoch) {
        int b = s.config().batchSize();
        List<Batch> all = composer.compose(examples, epoch).batches();
        List<Batch> out = new ArrayList<>();
        long want = Math.min(perEpoch, microPerEpoch);
        for (Batch x : all) {
            if ((x.size() == b || examples.size() < b) && out.size() < want) {
                out.add(x);
            }
        }
        int full = out.size();
        boolean shortEpoch = full < want;
        for (Batch x : all) {
            if (out.size() < want && x.size() < b && examples.size() >= b) {
                out.add(x);
            }
        }
        if (shortEpoch && !reportedShort) {
            reportedShort = true;
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "SHORT_EPOCH", 0, "epoch " + epoch + " has only "
                    + full + " full batches for " + want + " planned: texts shared"
                    + " between examples kept some batches below " + b + " queries (incomplete batches fill in, and"
                    + " batches are reused when still short)", "de-duplicate the training data or lower batchSize");
        }
        return out;
    }

    /** Texts, token ids, teacher scores and guide scores of micro-batch {@code micro}. */
    MicroBatch assemble(long micro) {
        List<TrainingExample> batch = examplesOf(micro);
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(s.config().seed(), 0xBA7C4, micro));
        int g = s.config().groupSize();
        List<String> queries = new ArrayList<>();
        List<String> passages = new ArrayList<>();
        List<String> positives = new ArrayList<>();
        boolean teacherOk = batch.stream().allMatch(e -> completeTeacher(e, g));
        double[][] teacher = teacherOk ? new double[batch.size()][g] : null;
        List<String> borrowable = null;
        for (int i = 0; i < batch.size(); i++) {
            TrainingExample e = batch.get(i);
            String prompt = e.prompt() != null ? e.prompt() : s.model().queryInstruction();
            queries.add(prompt + e.query());
            int pi = rnd.nextInt(e.positives().size());
            String pos = e.positives().get(pi);
            passages.add(pos);
            positives.add(pos);
            if (teacher != null) {
                teacher[i][0] = e.positiveScores().get(pi);
            }
            if (g == 1) {
                continue;
            }
            if (e.negatives().isEmpty()) {
                if (borrowable == null) {
                    borrowable = borrowable(batch);
                }
                for (int k : sampleIndices(borrowable.size(), g - 1, rnd)) {
                    passages.add(borrowable.get(k));
                }
                continue;
            }
            List<Integer> negIdx = sampleIndices(e.negatives().size(), g - 1, rnd);
            for (int k = 0; k < g - 1; k++) {
                int ni = negIdx.get(k);
                passages.add(e.negatives().get(ni));
                if (teacher != null) {
                    teacher[i][k + 1] = e.negativeScores().get(ni);
                }
            }
        }
        long[][] qIds = s.model().tokenizer().encode(queries, s.queryMaxLength());
        long[][] pIds = s.model().tokenizer().encode(passages, s.passageMaxLength());
        double[][] guideScores = guide == null ? null : guide.scores(queries, passages, qIds, pIds, g);
        return new MicroBatch(micro, queries, passages, positives, teacher, qIds, pIds, guideScores);
    }

    /** Closes the guide (its copy of the weights) when this source owns one. */
    @Override
    public void close() {
        if (guide != null) {
            guide.close();
        }
    }

    /** Teacher scores for the positive and every negative the group may use (none needed when G = 1). */
    static boolean completeTeacher(TrainingExample e, int g) {
        if (e.positiveScores() == null) {
            return false;
        }
        return g == 1 || (e.negativeScores() != null && !e.negatives().isEmpty());
    }

    /** Other examples' positives that are no text of any example in {@code batch}, in a fixed order. */
    private List<String> borrowable(List<TrainingExample> batch) {
        if (borrowPool == null) {
            Set<String> pool = new LinkedHashSet<>();
            for (TrainingExample e : examples) {
                pool.addAll(e.positives());
            }
            borrowPool = List.copyOf(pool);
        }
        Set<String> taken = new HashSet<>();
        for (TrainingExample e : batch) {
            taken.add(TextNormalizer.normalize(e.query()));
            e.positives().forEach(p -> taken.add(TextNormalizer.normalize(p)));
            e.negatives().forEach(p -> taken.add(TextNormalizer.normalize(p)));
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String p : borrowPool) {
            String key = TextNormalizer.normalize(p);
            if (!taken.contains(key) && seen.add(key)) {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new Bge4jException("examples without negatives need passages to borrow, but every positive of the"
                    + " training set belongs to a query of the same batch; mine negatives first (DenseNegativeMiner,"
                    + " `bge4j mine`) or use more examples than batchSize");
        }
        return out;
    }

    /** FlagEmbedding: sample without replacement when there are enough, else from the list repeated. */
    static List<Integer> sampleIndices(int available, int need, SplittableRandom rnd) {
        if (available == 0 || need == 0) {
            return List.of();
        }
        List<Integer> pool = new ArrayList<>();
        int copies = available >= need ? 1 : (need + available - 1) / available;
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < available; i++) {
                pool.add(i);
            }
        }
        for (int i = 0; i < need; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(pool.size() - i);
            Collections.swap(pool, i, j);
        }
        return new ArrayList<>(pool.subList(0, need));
    }
}
