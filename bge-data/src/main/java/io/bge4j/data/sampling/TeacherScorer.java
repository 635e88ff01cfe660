package io.bge4j.data.sampling;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.rerank.Reranker;
import io.bge4j.data.FlagJsonlReader;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.JsonlExampleStream;
import io.bge4j.data.TrainingExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Adds teacher scores from a reranker (cross-encoder) to training examples: every positive and negative
 * of an example is scored against its query ({@code pos_scores}, {@code neg_scores}), replacing any
 * scores the example had. This is what FlagEmbedding's {@code add_reranker_score.py} does before
 * distilling the reranker into an embedder. The query is given to the reranker as written (the
 * example's embedder {@code prompt} is not prepended; a reranker applies its own instruction).
 *
 * <p>Files are processed as a stream, one example in memory at a time, and written through
 * {@link FlagJsonlWriter} (temporary file, moved into place at the end), so an interrupted run leaves
 * no partial output.
 *
 * <p>Usage:
 * <pre>{@code
 * try (CrossEncoder ce = CrossEncoder.load(Path.of("runs/reranker"))) {
 *     TeacherScorer.Counts c = new TeacherScorer(ce).scoreFile(Path.of("mined.jsonl"), Path.of("scored.jsonl"),
 *             n -> System.err.print("\r" + n));
 * }
 * }</pre>
 */
public final class TeacherScorer {

    /**
     * What a scoring pass did.
     *
     * @param examples examples written
     * @param pairsScored query-passage pairs given to the reranker
     * @param seconds wall time
     */
    public record Counts(long examples, long pairsScored, double seconds) {}

    private final Reranker reranker;

    /** @param reranker the teacher */
    public TeacherScorer(Reranker reranker) {
        this.reranker = Objects.requireNonNull(reranker, "reranker");
    }

    /**
     * @param e an example
     * @return the example with {@code positiveScores}/{@code negativeScores} from the reranker
     */
    public TrainingExample score(TrainingExample e) {
        List<String> passages = new ArrayList<>(e.positives().size() + e.negatives().size());
        passages.addAll(e.positives());
        passages.addAll(e.negatives());
        float[] s = reranker.score(e.query(), passages);
        if (s.length != passages.size()) {
            throw new IllegalStateException("the reranker returned " + s.length + " scores for " + passages.size()
                    + " passages");
        }
        List<Double> pos = new ArrayList<>(e.positives().size());
        List<Double> neg = new ArrayList<>(e.negatives().size());
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                throw new Bge4jException("the reranker gave a non-finite score (" + s[i] + ") to a passage of query '"
                        + e.query() + "'");
            }
            (i < e.positives().size() ? pos : neg).add((double) s[i]);
        }
        return e.toBuilder().positiveScores(pos).negativeScores(neg).build();
    }

    /**
     * @param examples examples
     * @return the scored examples, same order
     */
    public List<TrainingExample> score(List<TrainingExample> examples) {
        List<TrainingExample> out = new ArrayList<>(examples.size());
        for (TrainingExample e : examples) {
            out.add(score(e));
        }
        return out;
    }

    /**
     * Scores a FlagEmbedding JSONL file into another.
     *
     * @param input the examples (plain or {@code .gz})
     * @param output the scored examples; must not be the input
     * @param progress called with the number of examples done after each one, or null
     * @return counts
     * @throws io.bge4j.core.DataFormatException on a malformed input line (file and line named)
     */
    public Counts scoreFile(Path input, Path output, LongConsumer progress) {
        if (sameFile(input, output)) {
            throw new IllegalArgumentException("output " + output + " is the input file; write the scores to a new file");
        }
        long t0 = System.nanoTime();
        long pairs = 0;
        try (JsonlExampleStream in = FlagJsonlReader.builder().build().open(input);
                FlagJsonlWriter out = FlagJsonlWriter.open(output)) {
            while (in.hasNext()) {
                TrainingExample e = in.next();
                out.write(score(e));
                pairs += e.positives().size() + e.negatives().size();
                if (progress != null) {
                    progress.accept(out.written());
                }
            }
            out.commit();
            return new Counts(out.written(), pairs, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException ignored) {
            // fall back to comparing paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
