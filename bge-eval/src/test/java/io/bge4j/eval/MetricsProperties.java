package io.bge4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties that hold for every ranking and every set of judgements. */
class MetricsProperties {
    private static final List<Metric> METRICS = Metric.allAt(List.of(1, 2, 3, 5, 10, 20));

    /** A judged query: up to 30 documents d0..dN with relevance 0..3 (at least one above 0), and a ranking. */
    record Case(Map<String, Integer> judgements, List<String> ranking) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(30),
                Arbitraries.longs()).as((grades, seed) -> {
                    Map<String, Integer> judgements = new LinkedHashMap<>();
                    for (int i = 0; i < grades.size(); i++) {
                        judgements.put("d" + i, grades.get(i));
                    }
                    judgements.put("d0", Math.max(1, grades.get(0))); // at least one relevant
                    Random rnd = new Random(seed);
                    List<String> ranking = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        ranking.add("d" + i); // d30..d39 are never judged
                    }
                    Collections.shuffle(ranking, rnd);
                    return new Case(judgements, ranking.subList(0, rnd.nextInt(41)));
                });
    }

    @Property
    void everyMetricIsInTheUnitInterval(@ForAll("cases") Case c) {
        for (Map.Entry<Metric, Double> e : MetricsCalculator.scoreQuery(c.ranking(), c.judgements(), METRICS).entrySet()) {
            assertTrue(e.getValue() >= 0 && e.getValue() <= 1 + 1e-12, e.getKey() + " = " + e.getValue());
        }
    }

    @Property
    void aPerfectRankingScoresOne(@ForAll("cases") Case c) {
        // ideal order: relevant documents by decreasing grade, then the rest
        List<String> ideal = new ArrayList<>(c.judgements().keySet());
        ideal.sort((a, b) -> Integer.compare(c.judgements().get(b), c.judgements().get(a)));
        Map<Metric, Double> v = MetricsCalculator.scoreQuery(ideal, c.judgements(), METRICS);
        long numRel = c.judgements().values().stream().filter(r -> r > 0).count();
        for (Metric m : METRICS) {
            double expected = switch (m.type()) {
                // precision can reach 1 only when there are at least k relevant documents
                case PRECISION -> Math.min(m.k(), numRel) / (double) m.k();
                // recall and MAP can reach 1 only when all relevant documents fit in the top k
                case RECALL, MAP -> Math.min(m.k(), numRel) / (double) numRel;
                default -> 1.0;
            };
            assertEquals(expected, v.get(m), 1e-9, m.key());
        }
    }

    @Property
    void ndcgIgnoresNonRelevantDocumentsAppendedBeyondK(@ForAll("cases") Case c,
                                                         @ForAll @IntRange(min = 1, max = 20) int k,
                                                         @ForAll @IntRange(min = 1, max = 10) int extra) {
        Metric ndcg = new Metric(MetricType.NDCG, k);
        List<String> top = c.ranking().subList(0, Math.min(k, c.ranking().size()));
        List<String> longer = new ArrayList<>(top);
        for (int i = 0; i < extra; i++) {
            longer.add("unjudged-" + i);
        }
        assertEquals(MetricsCalculator.scoreQuery(top, c.judgements(), List.of(ndcg)).get(ndcg),
                MetricsCalculator.scoreQuery(longer, c.judgements(), List.of(ndcg)).get(ndcg), 1e-12);
    }

    @Property
    void permutingNonRelevantDocumentsBelowTheLastRelevantOneKeepsRecall(@ForAll("cases") Case c,
                                                                         @ForAll long seed) {
        List<String> ranking = c.ranking();
        int lastRelevant = -1;
        for (int i = 0; i < ranking.size(); i++) {
            if (c.judgements().getOrDefault(ranking.get(i), 0) > 0) {
                lastRelevant = i;
            }
        }
        List<String> permuted = new ArrayList<>(ranking.subList(0, lastRelevant + 1));
        List<String> tail = new ArrayList<>(ranking.subList(lastRelevant + 1, ranking.size()));
        Collections.shuffle(tail, new Random(seed));
        permuted.addAll(tail);
        List<Metric> recalls = METRICS.stream().filter(m -> m.type() == MetricType.RECALL).toList();
        assertEquals(MetricsCalculator.scoreQuery(ranking, c.judgements(), recalls),
                MetricsCalculator.scoreQuery(permuted, c.judgements(), recalls));
    }

    @Property
    void metricsGrowWithKWhereTheyShould(@ForAll("cases") Case c) {
        // recall, accuracy and mrr can only grow as k grows; nDCG need not (its ideal grows too)
        Map<Metric, Double> v = MetricsCalculator.scoreQuery(c.ranking(), c.judgements(), METRICS);
        for (MetricType t : List.of(MetricType.RECALL, MetricType.ACCURACY, MetricType.MRR, MetricType.MAP)) {
            double previous = 0;
            for (Metric m : METRICS) {
                if (m.type() == t) {
                    assertTrue(v.get(m) >= previous - 1e-12, m.key());
                    previous = v.get(m);
                }
            }
        }
    }
}
