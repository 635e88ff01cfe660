package io.bge4j.eval.report;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.SampledNegative;
import io.bge4j.data.sampling.SamplingReport;
import io.bge4j.data.sampling.SamplingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What hard-negative mining produced, for the comparison page: the sampler's counts (including how
 * many candidates were dropped as likely false negatives), how many negatives each query got, and
 * the retrieval scores of the chosen negatives and, when given, of the positives, so the page can
 * show both distributions side by side.
 *
 * <p>Usage: {@code MiningSummary m = MiningSummary.of(mined).withPositiveScores(positiveScores);}
 *
 * @param report the sampler's counts
 * @param negativesPerQuery number of negatives → number of examples with that many, ascending
 * @param negativeScores retrieval scores of the chosen negatives that were ranked (random top-ups have none)
 * @param positiveScores retrieval scores of the positives (empty when not supplied)
 */
public record MiningSummary(SamplingReport report, Map<Integer, Integer> negativesPerQuery, List<Double> negativeScores,
        List<Double> positiveScores) {

    /** Copies; non-finite scores are left out. */
    public MiningSummary {
        Objects.requireNonNull(report, "report");
        negativesPerQuery = java.util.Collections.unmodifiableMap(new TreeMap<>(negativesPerQuery));
        negativeScores = finite(negativeScores);
        positiveScores = finite(positiveScores);
    }

    /**
     * @param r a sampler's result (scores come from its per-negative provenance, when it kept one)
     * @return the summary, without positive scores
     */
    public static MiningSummary of(SamplingResult r) {
        Map<Integer, Integer> perQuery = new TreeMap<>();
        for (TrainingExample e : r.examples()) {
            perQuery.merge(e.negatives().size(), 1, Integer::sum);
        }
        List<Double> scores = new ArrayList<>();
        for (List<SampledNegative> p : r.provenance()) {
            for (SampledNegative n : p) {
                if (!n.toppedUp()) {
                    scores.add(n.score());
                }
            }
        }
        return new MiningSummary(r.report(), perQuery, scores, List.of());
    }

    /**
     * @param scores the positives' retrieval scores with the mining model (the miner does not keep them)
     * @return a copy with them
     */
    public MiningSummary withPositiveScores(List<Double> scores) {
        return new MiningSummary(report, negativesPerQuery, negativeScores, scores);
    }

    private static List<Double> finite(List<Double> in) {
        List<Double> out = new ArrayList<>(in.size());
        for (Double d : in) {
            if (d != null && Double.isFinite(d)) {
                out.add(d);
            }
        }
        return List.copyOf(out);
    }
}
