package io.bge4j.train.advise;

import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.RandomNegativeSampler;
import io.bge4j.data.sampling.Selection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The data side of the advisor: one seeded permutation of the training set, the negatives of each
 * strategy sampled once over the whole set, and the nested subsets (the run at fraction {@code f} takes
 * the first {@code round(f × n)} examples of the permutation, in their original order).
 */
final class AdviceData {

    private final List<Integer> order;
    private final Map<NegativeStrategy, List<TrainingExample>> sampled;

    private AdviceData(List<Integer> order, Map<NegativeStrategy, List<TrainingExample>> sampled) {
        this.order = order;
        this.sampled = sampled;
    }

    /** Shuffles and samples the negatives of the curve's strategy and of every compared one. */
    static AdviceData prepare(AdvisorOptions o) {
        List<TrainingExample> all = o.trainingSet().examples();
        int n = all.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(o.seed()));
        List<NegativeStrategy> needed = new ArrayList<>();
        needed.add(o.curveStrategy());
        o.strategies().stream().filter(s -> !needed.contains(s)).forEach(needed::add);
        Map<NegativeStrategy, List<TrainingExample>> sampled = new EnumMap<>(NegativeStrategy.class);
        for (NegativeStrategy s : needed) {
            o.progress().accept("negatives: " + s.label() + " for " + n + " examples ...");
            sampled.put(s, sample(o, s, all));
        }
        return new AdviceData(order, sampled);
    }

    /** The examples of the run at fraction {@code f} with strategy {@code s}'s negatives. */
    List<TrainingExample> subset(NegativeStrategy s, double f) {
        int size = subsetSize(order.size(), f);
        List<Integer> chosen = new ArrayList<>(order.subList(0, size));
        Collections.sort(chosen);
        List<TrainingExample> examples = new ArrayList<>(size);
        for (int i : chosen) {
            examples.add(sampled.get(s).get(i));
        }
        return examples;
    }

    static int subsetSize(int n, double fraction) {
        return (int) Math.max(1, Math.min(n, Math.round(fraction * n)));
    }

    private static List<TrainingExample> sample(AdvisorOptions o, NegativeStrategy s, List<TrainingExample> all) {
        return switch (s) {
            case IN_BATCH -> all.stream().map(e -> e.withNegatives(List.of())).toList();
            case RANDOM -> RandomNegativeSampler.builder().negativesPerQuery(o.negativesPerQuery()).seed(o.seed())
                    .build().sample(all, o.miningCorpus()).examples();
            case HARD, HARD_MARGIN -> {
                try (Embedder e = o.embedder(o.model())) {
                    DenseNegativeMiner.Builder m = DenseNegativeMiner.builder().embedder(e)
                            .rankWindow(o.hardFrom(), o.hardTo()).negativesPerQuery(o.negativesPerQuery())
                            .selection(Selection.RANDOM).seed(o.seed());
                    if (s == NegativeStrategy.HARD_MARGIN) {
                        m.relativeMargin(o.margin());
                    }
                    yield m.build().sample(all, o.miningCorpus()).examples();
                }
            }
        };
    }
}
