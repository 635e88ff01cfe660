package io.bge4j.train.advise;

import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.eval.Evaluator;
import io.bge4j.eval.Metric;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The checked options of an {@link Advisor}, as {@link Advisor.Builder#build()} copies them: the
 * constructor names the first bad option, and the fractions are kept ascending.
 */
record AdvisorOptions(BgeModel model, TrainingSet trainingSet, Corpus miningCorpus, Evaluator devEvaluator,
        Metric metric, double[] fractions, NegativeStrategy curveStrategy, List<NegativeStrategy> strategies,
        double strategyFraction, int hardFrom, int hardTo, double margin, int negativesPerQuery, int batchSize,
        int groupSize, int epochs, Double learningRate, Integer queryMaxLength, Integer passageMaxLength, long seed,
        int evalBatchSize, Consumer<String> progress) {

    /** Checks every option in the builder's order and copies the lists. */
    AdvisorOptions {
        require(model != null, "model", "is required");
        require(trainingSet != null && !trainingSet.isEmpty(), "trainingSet", "is required and must not be empty");
        require(devEvaluator != null, "devEvaluator", "is required");
        require(metric != null, "metric", "is required");
        require(fractions != null && fractions.length >= 1, "fractions", "needs at least one fraction");
        for (double f : fractions) {
            require(f > 0 && f <= 1, "fractions", "each must be in (0, 1], got " + f);
        }
        double[] sorted = fractions.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            require(sorted[i] != sorted[i - 1], "fractions", "must be distinct, got " + Arrays.toString(fractions));
        }
        fractions = sorted;
        require(curveStrategy != null, "curveStrategy", "is required");
        require(strategies != null && strategies.stream().allMatch(Objects::nonNull), "strategies", "must be a list without nulls");
        require(strategies.stream().distinct().count() == strategies.size(), "strategies",
                "must not repeat a strategy, got " + strategies);
        strategies = List.copyOf(strategies);
        require(strategyFraction > 0 && strategyFraction <= 1, "strategyFraction",
                "must be in (0, 1], got " + strategyFraction);
        boolean needsCorpus = curveStrategy != NegativeStrategy.IN_BATCH
                || strategies.stream().anyMatch(s -> s != NegativeStrategy.IN_BATCH);
        require(!needsCorpus || (miningCorpus != null && miningCorpus.size() > 0), "miningCorpus",
                "is required for random and hard negatives (or use only in-batch)");
        require(hardFrom >= 0 && hardTo > hardFrom, "hardRanks", "needs 0 <= from < to, got " + hardFrom + ", " + hardTo);
        require(margin >= 0 && margin < 1, "margin", "must be in [0, 1), got " + margin);
        require(batchSize >= 2, "batchSize", "must be at least 2 (in-batch negatives need a second query), got "
                + batchSize);
        require(groupSize >= 2, "groupSize", "must be at least 2 (G − 1 negatives per query), got " + groupSize);
        require(negativesPerQuery >= groupSize - 1, "negativesPerQuery", "must be at least groupSize − 1 = "
                + (groupSize - 1) + ", got " + negativesPerQuery);
        require(epochs >= 1, "epochs", "must be at least 1, got " + epochs);
        require(learningRate == null || learningRate > 0, "learningRate", "must be positive, got " + learningRate);
        require(queryMaxLength == null || queryMaxLength >= 2, "queryMaxLength", "must be at least 2");
        require(passageMaxLength == null || passageMaxLength >= 2, "passageMaxLength", "must be at least 2");
        require(evalBatchSize >= 1, "evalBatchSize", "must be at least 1, got " + evalBatchSize);
        require(progress != null, "progress", "must not be null");
    }

    /** An embedder for mining and evaluation: the evaluation batch size and the passage budget. */
    Embedder embedder(BgeModel m) {
        BgeEmbedder.Builder e = m.embedder().batchSize(evalBatchSize);
        if (passageMaxLength != null) {
            e.maxLength(passageMaxLength);
        }
        return e.build();
    }

    /** The settings line of the report. */
    String describe() {
        return String.format(Locale.ROOT, "B=%d, G=%d (in-batch only: G=1), %d epoch(s), learning rate %s,"
                + " lengths %s/%s, seed %d, %d negatives per query sampled, hard ranks %d-%d, margin %.2f,"
                + " fractions %s, negatives compared at %s", batchSize, groupSize, epochs,
                learningRate == null ? "the model-size default" : String.valueOf(learningRate),
                queryMaxLength == null ? "default" : queryMaxLength,
                passageMaxLength == null ? "default" : passageMaxLength, seed, negativesPerQuery, hardFrom,
                hardTo, margin, Arrays.toString(fractions), AdviceRules.pct(strategyFraction));
    }

    private static void require(boolean ok, String option, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Advisor option " + option + " " + message);
        }
    }
}
