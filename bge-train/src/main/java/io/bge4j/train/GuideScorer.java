package io.bge4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.bge4j.core.BgeModel;
import io.bge4j.data.TrainingExample;
import java.util.Arrays;
import java.util.List;

/**
 * The guide of guided false-negative masking: scores each micro-batch's queries against its candidates
 * with a model that is not trained, without gradient and without dropout. By default the guide is a
 * copy of the trained model taken when the run starts (before any update), which this scorer owns and
 * closes; a guide given to the builder belongs to the caller and is only read.
 *
 * <p>The guide sees the same texts as the trained model (queries with the trained model's instruction).
 * A guide copied from the trained model reuses the batch's token ids; another guide tokenizes the texts
 * itself, within its own maximum length.
 */
final class GuideScorer implements AutoCloseable {

    private final BgeModel guide;
    private final boolean owned;
    private final boolean inBatch;
    private final int chunk;
    private final int queryMaxLength;
    private final int passageMaxLength;

    private GuideScorer(BgeModel guide, boolean owned, RunSettings s) {
        this.guide = guide;
        this.owned = owned;
        this.inBatch = s.config().inBatchNegatives();
        this.chunk = s.config().gradientCacheMiniBatch();
        this.queryMaxLength = Math.min(s.queryMaxLength(), guide.maxLength());
        this.passageMaxLength = Math.min(s.passageMaxLength(), guide.maxLength());
    }

    /**
     * @param s the run
     * @param examples the examples it trains on (a warning says so when their teacher scores go unused)
     * @param log the run's diagnostics
     * @return the run's guide scorer, or {@code null} when guided masking is off; the default guide is
     *     copied from {@code s.model()} now, so call this before the first update
     */
    static GuideScorer open(RunSettings s, List<TrainingExample> examples, RunLog log) {
        if (!s.config().guidedMasking()) {
            return null;
        }
        if (examples.stream().anyMatch(e -> BatchSource.completeTeacher(e, s.config().groupSize()))) {
            log.diagnose(TrainingDiagnostic.Severity.WARNING, "TEACHER_SCORES_IGNORED", 0, "the examples carry"
                    + " teacher scores, but guidedMasking trains with GuidedMaskingLoss, which does not distil",
                    "drop guidedMasking to distil from the teacher scores");
        }
        BgeModel given = s.config().guideModel();
        if (given != null) {
            return new GuideScorer(given, false, s);
        }
        BgeModel copy;
        try (GradMode.Region r = GradMode.off()) {
            copy = s.model().copy();
        }
        return new GuideScorer(copy, true, s);
    }

    /**
     * The guide's similarities of each query to the candidates the loss scores.
     *
     * @param queries B query texts
     * @param passages B·G passages in group layout
     * @param queryIds the trained model's token ids of the queries
     * @param passageIds the trained model's token ids of the passages
     * @param g group size
     * @return B×(B·G) in-batch, or B×G (each query's own group) without in-batch negatives
     */
    double[][] scores(List<String> queries, List<String> passages, long[][] queryIds, long[][] passageIds, int g) {
        long[][] q = owned ? queryIds : guide.tokenizer().encode(queries, queryMaxLength);
        long[][] p = owned ? passageIds : guide.tokenizer().encode(passages, passageMaxLength);
        int b = q.length;
        int n = p.length;
        float[] all;
        try (GradMode.Region r = GradMode.off(); NDManager m = guide.manager().newSubManager()) {
            NDArray qe = embed(m, q);
            NDArray pe = embed(m, p);
            all = qe.matMul(pe.transpose()).toFloatArray(); // B × B·G
        }
        double[][] out = new double[b][];
        for (int i = 0; i < b; i++) {
            int from = inBatch ? 0 : i * g;
            int width = inBatch ? n : g;
            out[i] = new double[width];
            for (int j = 0; j < width; j++) {
                out[i][j] = all[i * n + from + j];
            }
        }
        return out;
    }

    /** Embeds in GradCache-sized chunks when GradCache is on, so the guide never needs more memory than a chunk. */
    private NDArray embed(NDManager m, long[][] ids) {
        if (chunk <= 0 || ids.length <= chunk) {
            return guide.embed(m, ids, false);
        }
        NDList parts = new NDList();
        for (int start = 0; start < ids.length; start += chunk) {
            try (NDManager cm = m.newSubManager()) { // a chunk's activations are freed before the next
                NDArray e = guide.embed(cm, Arrays.copyOfRange(ids, start, Math.min(ids.length, start + chunk)), false);
                e.attach(m);
                parts.add(e);
            }
        }
        return NDArrays.concat(parts, 0);
    }

    /** Adds the run's masked total to the diagnostics (as {@code GUIDED_MASKING}) when guided masking is on. */
    static void report(FinetuneConfig c, List<StepRecord> steps, RunLog log) {
        if (!c.guidedMasking() || steps.isEmpty()) {
            return;
        }
        long total = steps.stream().mapToLong(StepRecord::maskedCandidates).sum();
        long last = steps.get(steps.size() - 1).step();
        log.diagnose(TrainingDiagnostic.Severity.INFO, "GUIDED_MASKING", last, "guided masking removed " + total
                + " (query, candidate) pairs from the softmax in the " + steps.size() + " steps of this run ("
                + String.format(java.util.Locale.ROOT, "%.2f", total / (double) steps.size()) + " per step)",
                total == 0 ? "the guide never scored a candidate above a positive: a larger margin masks more" : "");
    }

    /** Frees the guide's weights when they are the run's own copy. */
    @Override
    public void close() {
        if (owned) {
            guide.close();
        }
    }
}
