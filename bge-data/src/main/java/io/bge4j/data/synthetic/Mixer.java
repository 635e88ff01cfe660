package io.bge4j.data.synthetic;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.FilterReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines real and synthetic training data into one set, either
 * <ul>
 *   <li>with a target synthetic share ({@link Builder#syntheticRatio(double)}): every real example
 *       is kept and a seeded sample of synthetic examples is added so that synthetic examples make up
 *       that share of the mix (all of them, with a warning, when there are too few); or</li>
 *   <li>with per-source weights ({@link Builder#weights(Map)}): each source gets
 *       {@code total × weight / Σweights} examples (largest-remainder rounding), sampled without
 *       replacement and capped at what the source has; without {@link Builder#total(int)}, the total
 *       is the largest one no source runs short for.</li>
 * </ul>
 * Sources are the examples' {@link TrainingExample#source()} (the set's name when missing). An
 * example is synthetic when {@link Builder#isSynthetic(Predicate)} says so (default: type or source
 * {@code "synthetic"}, or a source starting with {@code "synthetic"}). Selected examples keep their
 * input order. The {@link MixReport} lists counts per source and the filter reports handed in; the mixed set
 * carries it ({@link TrainingSet#mix()}), so a fine-tune on the set records the mix in its {@code metrics.jsonl}
 * and {@code report.html}.
 *
 * <p>Usage:
 * <pre>{@code
 * Mixer.Result mix = Mixer.builder().add(real).add(synthetic).syntheticRatio(0.3).seed(42)
 *     .filterReport("synthetic", filtered.report()).build().mix();
 * FlagJsonlWriter.writeAll(out, mix.trainingSet().examples());
 * }</pre>
 */
public final class Mixer {
    private static final Logger LOG = LoggerFactory.getLogger(Mixer.class);

    private final List<TrainingSet> sets;
    private final Double ratio;
    private final Map<String, Double> weights;
    private final Integer total;
    private final Predicate<TrainingExample> isSynthetic;
    private final Map<String, FilterReport> filters;
    private final long seed;
    private final String name;

    private Mixer(Builder b) {
        this.sets = List.copyOf(b.sets);
        this.ratio = b.ratio;
        this.weights = b.weights == null ? null : new LinkedHashMap<>(b.weights);
        this.total = b.total;
        this.isSynthetic = b.isSynthetic;
        this.filters = new LinkedHashMap<>(b.filters);
        this.seed = b.seed;
        this.name = b.name;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The mixed set and its report.
     *
     * <p>Usage: {@code mixer.mix().report().toMarkdown()}
     *
     * @param trainingSet the mix
     * @param report what went into it
     */
    public record Result(TrainingSet trainingSet, MixReport report) {
    }

    /**
     * The default test for synthetic examples: type {@code "synthetic"}, or a source that is or
     * starts with {@code "synthetic"}.
     *
     * @param e an example
     * @return whether it counts as synthetic
     */
    public static boolean defaultIsSynthetic(TrainingExample e) {
        return "synthetic".equals(e.type()) || (e.source() != null && e.source().startsWith("synthetic"));
    }

    /** @return the mix */
    public Result mix() {
        Map<String, List<TrainingExample>> bySource = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        List<TrainingExample> all = new ArrayList<>();
        for (TrainingSet s : sets) {
            for (TrainingExample e : s.withSourceName()) {
                bySource.computeIfAbsent(e.source(), k -> new ArrayList<>()).add(e);
                all.add(e);
            }
        }
        order.addAll(bySource.keySet());
        Map<String, Integer> quota = weights != null ? weightQuota(bySource) : ratioQuota(bySource);
        // per source: seeded choice of which examples (indices within the source)
        Map<String, boolean[]> chosen = new LinkedHashMap<>();
        int sIndex = 0;
        for (String src : order) {
            List<TrainingExample> list = bySource.get(src);
            int q = quota.getOrDefault(src, 0);
            boolean[] take = new boolean[list.size()];
            if (q >= list.size()) {
                Arrays.fill(take, true);
            } else {
                int[] idx = shuffled(list.size(), new Random(io.bge4j.data.Seeds.derive(seed, sIndex)));
                for (int i = 0; i < q; i++) {
                    take[idx[i]] = true;
                }
            }
            chosen.put(src, take);
            sIndex++;
        }
        Map<String, Integer> cursor = new LinkedHashMap<>();
        List<TrainingExample> out = new ArrayList<>();
        int real = 0;
        int synth = 0;
        Map<String, MixReport.SourceCount> counts = new LinkedHashMap<>();
        for (TrainingExample e : all) {
            int at = cursor.merge(e.source(), 1, Integer::sum) - 1;
            if (chosen.get(e.source())[at]) {
                out.add(e);
                if (isSynthetic.test(e)) {
                    synth++;
                } else {
                    real++;
                }
            }
        }
        for (String src : order) {
            List<TrainingExample> list = bySource.get(src);
            int selected = 0;
            for (boolean b : chosen.get(src)) {
                selected += b ? 1 : 0;
            }
            boolean synthetic = list.stream().anyMatch(isSynthetic);
            counts.put(src, new MixReport.SourceCount(list.size(), selected, synthetic));
        }
        MixReport report = new MixReport(counts, real, synth, filters);
        LOG.info("mixed {} examples: {} real, {} synthetic (share {})", out.size(), real, synth,
                String.format(java.util.Locale.ROOT, "%.3f", report.syntheticShare()));
        return new Result(TrainingSet.of(name, out).withMix(report), report);
    }

    private Map<String, Integer> ratioQuota(Map<String, List<TrainingExample>> bySource) {
        int realCount = 0;
        Map<String, Integer> synthAvail = new LinkedHashMap<>();
        int synthTotal = 0;
        Map<String, Integer> quota = new LinkedHashMap<>();
        for (Map.Entry<String, List<TrainingExample>> en : bySource.entrySet()) {
            long s = en.getValue().stream().filter(isSynthetic).count();
            if (s == 0) {
                realCount += en.getValue().size();
                quota.put(en.getKey(), en.getValue().size());
            } else {
                synthAvail.put(en.getKey(), en.getValue().size());
                synthTotal += en.getValue().size();
            }
        }
        long wanted = Math.round(realCount * ratio / (1 - ratio));
        if (wanted > synthTotal) {
            LOG.warn("target synthetic share {} needs {} synthetic examples but only {} are available; using all",
                    ratio, wanted, synthTotal);
            wanted = synthTotal;
        }
        Map<String, Double> w = new LinkedHashMap<>();
        synthAvail.forEach((k, v) -> w.put(k, (double) v));
        quota.putAll(apportion((int) wanted, w, synthAvail));
        return quota;
    }

    private Map<String, Integer> weightQuota(Map<String, List<TrainingExample>> bySource) {
        for (String src : bySource.keySet()) {
            if (!weights.containsKey(src)) {
                throw new IllegalArgumentException("source '" + src + "' has no weight; give weights for every source "
                        + bySource.keySet() + " (0 drops a source)");
            }
        }
        Map<String, Integer> avail = new LinkedHashMap<>();
        Map<String, Double> w = new LinkedHashMap<>();
        double sum = 0;
        for (String src : bySource.keySet()) {
            avail.put(src, bySource.get(src).size());
            w.put(src, weights.get(src));
            sum += weights.get(src);
        }
        int n;
        if (total != null) {
            n = total;
        } else {
            double best = Double.POSITIVE_INFINITY;
            for (String src : w.keySet()) {
                if (w.get(src) > 0) {
                    best = Math.min(best, avail.get(src) * sum / w.get(src));
                }
            }
            n = best == Double.POSITIVE_INFINITY ? 0 : (int) Math.floor(best + 1e-9);
        }
        return apportion(n, w, avail);
    }

    /** Largest-remainder split of n by weight, capped at availability (shortfalls are logged). */
    private static Map<String, Integer> apportion(int n, Map<String, Double> w, Map<String, Integer> avail) {
        double sum = w.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Integer> out = new LinkedHashMap<>();
        if (sum <= 0 || n <= 0) {
            w.keySet().forEach(k -> out.put(k, 0));
            return out;
        }
        List<String> keys = new ArrayList<>(w.keySet());
        double[] rem = new double[keys.size()];
        int given = 0;
        for (int i = 0; i < keys.size(); i++) {
            double exact = n * w.get(keys.get(i)) / sum;
            int fl = (int) Math.floor(exact + 1e-9);
            out.put(keys.get(i), fl);
            rem[i] = exact - fl;
            given += fl;
        }
        Integer[] byRem = new Integer[keys.size()];
        for (int i = 0; i < byRem.length; i++) {
            byRem[i] = i;
        }
        Arrays.sort(byRem, (a, b) -> rem[a] != rem[b] ? Double.compare(rem[b], rem[a]) : Integer.compare(a, b));
        for (int i = 0; given < n && i < byRem.length; i++) {
            out.merge(keys.get(byRem[i]), 1, Integer::sum);
            given++;
        }
        for (String k : keys) {
            if (out.get(k) > avail.get(k)) {
                LoggerFactory.getLogger(Mixer.class).warn("source '{}' has {} examples but its share is {}; taking all",
                        k, avail.get(k), out.get(k));
                out.put(k, avail.get(k));
            }
        }
        return out;
    }

    private static int[] shuffled(int n, Random rnd) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /**
     * Options of a {@link Mixer}; {@link #build()} names the bad one.
     *
     * <p>Usage: {@code Mixer.builder().add(real).add(synth).weights(Map.of("real", 2.0, "synthetic", 1.0)).build()}
     */
    public static final class Builder {
        private final List<TrainingSet> sets = new ArrayList<>();
        private Double ratio;
        private Map<String, Double> weights;
        private Integer total;
        private Predicate<TrainingExample> isSynthetic = Mixer::defaultIsSynthetic;
        private final Map<String, FilterReport> filters = new LinkedHashMap<>();
        private long seed = 42;
        private String name = "mixed";

        private Builder() {
        }

        /**
         * @param set examples to mix (sources come from each example, else the set's name)
         * @return this builder
         */
        public Builder add(TrainingSet set) {
            sets.add(java.util.Objects.requireNonNull(set, "set"));
            return this;
        }

        /**
         * @param ratio target synthetic share of the mix, in [0, 1)
         * @return this builder
         */
        public Builder syntheticRatio(double ratio) {
            this.ratio = ratio;
            return this;
        }

        /**
         * @param weights source → non-negative weight, one for every source present
         * @return this builder
         */
        public Builder weights(Map<String, Double> weights) {
            this.weights = weights;
            return this;
        }

        /**
         * @param total the mix size for weight mode (default: the largest no source runs short for)
         * @return this builder
         */
        public Builder total(int total) {
            this.total = total;
            return this;
        }

        /**
         * @param isSynthetic which examples count as synthetic
         * @return this builder
         */
        public Builder isSynthetic(Predicate<TrainingExample> isSynthetic) {
            this.isSynthetic = isSynthetic;
            return this;
        }

        /**
         * @param label a stage name (e.g. "synthetic")
         * @param report what the filters of that stage did
         * @return this builder
         */
        public Builder filterReport(String label, FilterReport report) {
            filters.put(java.util.Objects.requireNonNull(label, "label"), java.util.Objects.requireNonNull(report));
            return this;
        }

        /**
         * @param seed drives every sample (default 42)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param name the mixed set's name (default "mixed")
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * @return the mixer
         * @throws IllegalArgumentException naming the bad option
         */
        public Mixer build() {
            if (sets.isEmpty()) {
                throw new IllegalArgumentException("no data; call add(set) at least once");
            }
            if ((ratio == null) == (weights == null)) {
                throw new IllegalArgumentException("give exactly one of syntheticRatio(...) and weights(...)");
            }
            if (ratio != null && !(ratio >= 0 && ratio < 1)) {
                throw new IllegalArgumentException("syntheticRatio must be in [0, 1), was " + ratio);
            }
            if (weights != null) {
                for (Map.Entry<String, Double> en : weights.entrySet()) {
                    if (en.getValue() == null || !(en.getValue() >= 0) || en.getValue().isInfinite()) {
                        throw new IllegalArgumentException("weights['" + en.getKey() + "'] must be a finite number >= 0, was "
                                + en.getValue());
                    }
                }
            }
            if (total != null && (ratio != null || total < 0)) {
                throw new IllegalArgumentException("total must be >= 0 and is only used with weights(...), was " + total);
            }
            if (isSynthetic == null) {
                throw new IllegalArgumentException("isSynthetic must not be null");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return new Mixer(this);
        }
    }
}
