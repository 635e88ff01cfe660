package io.bge4j.data.sampling;

import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of a {@link NegativeSampler}: new examples, a report and, for the built-in samplers,
 * per-example provenance of every negative.
 *
 * <p>Usage: {@code miner.sample(train, corpus).writeJsonl(Path.of("train_minedHN.jsonl"));}
 *
 * @param examples one example per input, input order
 * @param report the counts
 * @param provenance per example, where each negative came from (parallel to the negatives), or
 *     an empty list when the sampler does not record it
 */
public record SamplingResult(List<TrainingExample> examples, SamplingReport report,
                             List<List<SampledNegative>> provenance) {

    /** Copies the lists and checks that provenance, when given, matches the examples. */
    public SamplingResult {
        examples = List.copyOf(examples);
        List<List<SampledNegative>> copy = new ArrayList<>(provenance.size());
        for (List<SampledNegative> p : provenance) {
            copy.add(List.copyOf(p));
        }
        provenance = List.copyOf(copy);
        if (!provenance.isEmpty() && provenance.size() != examples.size()) {
            throw new IllegalArgumentException("provenance has " + provenance.size() + " entries for "
                    + examples.size() + " examples; give one per example or none");
        }
    }

    /**
     * A result for a custom sampler: the report is computed from the examples.
     *
     * @param sampler the sampler's name
     * @param examples the new examples
     * @param negativesPerQuery the requested count per example
     * @return the result
     */
    public static SamplingResult of(String sampler, List<TrainingExample> examples, int negativesPerQuery) {
        long produced = 0;
        int shortCount = 0;
        for (TrainingExample e : examples) {
            produced += e.negatives().size();
            if (e.negatives().size() < negativesPerQuery) {
                shortCount++;
            }
        }
        return new SamplingResult(examples, new SamplingReport(sampler, examples.size(), negativesPerQuery, produced,
                0, 0, shortCount, 0, 0, 0), List.of());
    }

    /**
     * @param name the set's name
     * @return the examples as a training set
     */
    public TrainingSet toTrainingSet(String name) {
        return TrainingSet.of(name, examples);
    }

    /**
     * Writes the examples as teacher-free FlagEmbedding JSONL, atomically.
     *
     * @param file the target file
     * @return the number of examples written
     */
    public long writeJsonl(Path file) {
        return FlagJsonlWriter.writeAll(file, examples);
    }
}
