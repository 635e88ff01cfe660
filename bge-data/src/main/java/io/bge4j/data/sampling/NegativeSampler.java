package io.bge4j.data.sampling;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import java.util.List;

/**
 * Produces negatives for training examples: the extension point for how "hard" the non-relevant
 * passages a model trains against are. Built-in implementations: {@link RandomNegativeSampler},
 * {@link Bm25NegativeSampler}, {@link DenseNegativeMiner} and {@link DynamicNegativeSampler}.
 *
 * <p>A sampler returns new examples (one per input, same order, same query and positives) whose
 * negatives it chose, and a {@link SamplingReport} that says what happened (how many were topped
 * up, how many were short). Contract: a returned negative is never one of its example's positives
 * (compare with {@link io.bge4j.data.TextNormalizer#normalize(String)};
 * {@link CorpusTextIndex#exclusionFor(TrainingExample)} does it for you), and the same seed with
 * the same inputs gives the same output.
 *
 * <p>Usage — a custom sampler that takes negatives from the same topic:
 * <pre>{@code
 * NegativeSampler sameTopic = (examples, corpus) -> {
 *     CorpusTextIndex index = CorpusTextIndex.of(corpus);
 *     List<TrainingExample> out = new ArrayList<>();
 *     for (TrainingExample e : examples) {
 *         PositiveExclusion positives = index.exclusionFor(e);
 *         List<String> negs = new ArrayList<>();
 *         for (int p = 0; p < corpus.size() && negs.size() < 7; p++) {
 *             if (!positives.excludes(p, index.normalizedText(p)) && sharesTopic(e, corpus.get(p))) {
 *                 negs.add(corpus.get(p).fullText());
 *             }
 *         }
 *         out.add(e.withNegatives(negs));
 *     }
 *     return SamplingResult.of("same-topic", out, 7);
 * };
 * List<TrainingExample> withNegatives = sameTopic.sample(train, corpus).examples();
 * }</pre>
 */
@FunctionalInterface
public interface NegativeSampler {

    /**
     * @param examples the examples; their existing negatives are replaced (teacher scores dropped)
     * @param corpus where negatives come from
     * @return one new example per input, in input order, and the report
     */
    SamplingResult sample(List<TrainingExample> examples, Corpus corpus);

    /**
     * @param set the examples
     * @param corpus where negatives come from
     * @return one new example per input, in input order, and the report
     */
    default SamplingResult sample(TrainingSet set, Corpus corpus) {
        return sample(set.examples(), corpus);
    }
}
