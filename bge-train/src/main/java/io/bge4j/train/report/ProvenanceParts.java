package io.bge4j.train.report;

import io.bge4j.eval.Comparison;
import io.bge4j.eval.MetricComparison;
import io.bge4j.train.EvaluationRecord;
import io.bge4j.train.FinetuneResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link Provenance}'s parts are derived from what a run produced: configuration values
 * normalised for JSON, the training summary of a result, and before/after metric changes from a
 * {@link Comparison} (with intervals) or from two of the trainer's evaluations (means only).
 */
final class ProvenanceParts {

    private ProvenanceParts() {}

    /** Integers to Long, finite decimals to Double, booleans and strings as they are, the rest to String. */
    static Map<String, Object> normalise(Map<String, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            Objects.requireNonNull(k, "configuration key");
            Object n;
            if (v == null) {
                n = null;
            } else if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                n = ((Number) v).longValue();
            } else if (v instanceof Float || v instanceof Double) {
                double d = ((Number) v).doubleValue();
                n = Double.isFinite(d) ? (Object) d : String.valueOf(d);
            } else if (v instanceof Boolean || v instanceof String) {
                n = v;
            } else {
                n = String.valueOf(v);
            }
            out.put(k, n);
        });
        return Collections.unmodifiableMap(out);
    }

    /** @return {@code d}, or null when it is null or not finite */
    static Double finite(Double d) {
        return d == null || !Double.isFinite(d) ? null : d;
    }

    static TrainingSummary training(FinetuneResult r, Duration time) {
        Long bestStep = r.bestEvaluation().map(EvaluationRecord::step).orElse(null);
        Double bestValue = r.bestEvaluation().map(EvaluationRecord::primaryValue).orElse(null);
        return new TrainingSummary(r.stepsTaken(), r.stopReason().name(), time.toMillis() / 1000.0, bestStep,
                bestValue);
    }

    /** Every metric of {@code c}, the primary first, with intervals and p-values. */
    static EvaluationSummary evaluation(Comparison c, String name) {
        List<MetricChange> list = new ArrayList<>();
        list.add(change(c.metric(c.primary())));
        for (MetricComparison mc : c.metrics()) {
            if (!mc.metric().equals(c.primary())) {
                list.add(change(mc));
            }
        }
        return new EvaluationSummary(name, (long) c.queryIds().size(), c.primary().key(), c.confidence(), list);
    }

    /** The metrics both evaluations have, the primary first, as means (no intervals). */
    static EvaluationSummary evaluation(EvaluationRecord before, EvaluationRecord after, String name) {
        List<MetricChange> list = new ArrayList<>();
        list.add(change(before.primaryMetric(), before.metrics(), after.metrics()));
        for (String k : after.metrics().keySet()) {
            if (!k.equals(before.primaryMetric()) && before.metrics().containsKey(k)) {
                list.add(change(k, before.metrics(), after.metrics()));
            }
        }
        return new EvaluationSummary(name, null, before.primaryMetric(), null, list);
    }

    private static MetricChange change(MetricComparison mc) {
        return new MetricChange(mc.metric().key(), mc.base(), mc.tuned(), mc.delta(), mc.ciLow(),
                mc.ciHigh(), mc.pValue());
    }

    private static MetricChange change(String key, Map<String, Double> before, Map<String, Double> after) {
        Double b = before.get(key);
        Double a = after.get(key);
        Double d = a == null || b == null ? null : a - b;
        return new MetricChange(key, b, a, d, null, null, null);
    }
}
