package io.bge4j.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * What a training set looks like before you spend GPU hours on it: counts, token-length
 * distributions (measured with the tokenizer you pass in), duplicates, examples without negatives,
 * a model-size recommendation and warnings, all as data.
 *
 * <p>Usage:
 * <pre>{@code
 * DatasetStatistics st = DatasetStatistics.compute(train, text -> tokenizer.encode(text).length);
 * log.info("{} examples, p95 passage length {} tokens, recommend {}", st.examples(),
 *          st.passageTokens().p95(), st.recommendation().recommended());
 * }</pre>
 *
 * @param examples number of examples
 * @param distinctQueries number of distinct (normalised) queries
 * @param positives total positives
 * @param negatives total negatives
 * @param distinctPassages distinct (normalised) passage texts among positives and negatives
 * @param examplesWithoutNegatives examples whose negative list is empty
 * @param examplesWithTeacherScores examples carrying pos_scores or neg_scores
 * @param duplicateExamples examples whose (normalised query, positive set) appeared earlier
 * @param duplicateRate {@code duplicateExamples / examples} (0 for an empty set)
 * @param queryTokens token lengths of each example's query (prompt not included)
 * @param passageTokens token lengths of each distinct passage text
 * @param recommendation the model size this much (distinct) data supports
 * @param warnings data problems worth fixing before training
 */
public record DatasetStatistics(
        int examples,
        int distinctQueries,
        long positives,
        long negatives,
        int distinctPassages,
        int examplesWithoutNegatives,
        int examplesWithTeacherScores,
        int duplicateExamples,
        double duplicateRate,
        LengthDistribution queryTokens,
        LengthDistribution passageTokens,
        ModelSizeRecommendation recommendation,
        List<String> warnings) {

    /** Copies the warnings. */
    public DatasetStatistics {
        warnings = List.copyOf(warnings);
    }

    /**
     * @param set the examples
     * @param tokenCounter counts the tokens of one text (e.g. a model tokenizer, without special tokens)
     * @return the statistics
     */
    public static DatasetStatistics compute(Iterable<TrainingExample> set, ToIntFunction<String> tokenCounter) {
        return compute(set, tokenCounter, 512);
    }

    /**
     * @param set the examples
     * @param tokenCounter counts the tokens of one text
     * @param maxPassageTokens the model's passage length limit, used for the truncation warning
     * @return the statistics
     */
    public static DatasetStatistics compute(Iterable<TrainingExample> set, ToIntFunction<String> tokenCounter,
                                            int maxPassageTokens) {
        Objects.requireNonNull(tokenCounter, "tokenCounter");
        int n = 0;
        long pos = 0;
        long neg = 0;
        int noNeg = 0;
        int teacher = 0;
        int dup = 0;
        Set<String> queries = new HashSet<>();
        Set<List<String>> keys = new HashSet<>();
        Map<String, Integer> passageLengths = new HashMap<>();
        List<Integer> queryLengths = new ArrayList<>();
        for (TrainingExample e : set) {
            n++;
            pos += e.positives().size();
            neg += e.negatives().size();
            if (e.negatives().isEmpty()) {
                noNeg++;
            }
            if (e.hasTeacherScores()) {
                teacher++;
            }
            String q = TextNormalizer.normalize(e.query());
            queries.add(q);
            List<String> key = new ArrayList<>(e.positives().size() + 1);
            key.add(q);
            e.positives().stream().map(TextNormalizer::normalize).sorted().distinct().forEach(key::add);
            if (!keys.add(key)) {
                dup++;
            }
            queryLengths.add(tokenCounter.applyAsInt(e.query()));
            for (List<String> texts : List.of(e.positives(), e.negatives())) {
                for (String t : texts) {
                    String norm = TextNormalizer.normalize(t);
                    if (!passageLengths.containsKey(norm)) {
                        passageLengths.put(norm, tokenCounter.applyAsInt(t));
                    }
                }
            }
        }
        LengthDistribution qd = LengthDistribution.of(queryLengths.stream().mapToInt(Integer::intValue).toArray());
        LengthDistribution pd = LengthDistribution.of(passageLengths.values().stream().mapToInt(Integer::intValue).toArray());
        double dupRate = n == 0 ? 0.0 : (double) dup / n;
        ModelSizeRecommendation rec = ModelSizeRecommendation.forExampleCount(n - dup);
        List<String> warnings = new ArrayList<>();
        if (n > 0 && noNeg > 0) {
            warnings.add(String.format(java.util.Locale.ROOT,
                    "%d of %d examples (%.1f%%) have no negatives: mine hard negatives (DenseNegativeMiner or "
                            + "Bm25NegativeSampler) so each query is trained against more than in-batch negatives",
                    noNeg, n, 100.0 * noNeg / n));
        }
        if (dupRate >= 0.05) {
            warnings.add(String.format(java.util.Locale.ROOT,
                    "%.1f%% of examples repeat an earlier (query, positives) pair: deduplicate them, they add "
                            + "weight without information", 100.0 * dupRate));
        }
        if (pd.count() > 0 && pd.p95() > maxPassageTokens) {
            warnings.add("the 95th-percentile passage is " + pd.p95() + " tokens, over the " + maxPassageTokens
                    + "-token limit: more than 5% of passages will be truncated; chunk long passages");
        }
        return new DatasetStatistics(n, queries.size(), pos, neg, passageLengths.size(), noNeg, teacher, dup, dupRate,
                qd, pd, rec, warnings);
    }
}
