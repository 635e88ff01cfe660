package io.bge4j.data.sampling;

import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.CorpusDocument;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;

/** Shared per-example selection logic of the built-in samplers (window, dedupe, exclusion, top-up). */
final class NegativePicker {

    /** Outcome for one example. */
    record Outcome(List<SampledNegative> negatives, int toppedUp, boolean isShort, long skippedAsPositive,
                   long droppedAsFalseNegative) {
        List<String> texts() {
            List<String> t = new ArrayList<>(negatives.size());
            for (SampledNegative n : negatives) {
                t.add(n.text());
            }
            return t;
        }
    }

    /** Accumulates outcomes into a report, in example order. */
    static final class Tally {
        private final String sampler;
        private final int perQuery;
        private int examples;
        private long produced;
        private int toppedUpExamples;
        private long toppedUp;
        private int shortExamples;
        private long notInCorpus;
        private long skipped;
        private long dropped;

        Tally(String sampler, int perQuery) {
            this.sampler = sampler;
            this.perQuery = perQuery;
        }

        void add(Outcome o, int unmatchedPositives) {
            examples++;
            produced += o.negatives().size();
            if (o.toppedUp() > 0) {
                toppedUpExamples++;
                toppedUp += o.toppedUp();
            }
            if (o.isShort()) {
                shortExamples++;
            }
            notInCorpus += unmatchedPositives;
            skipped += o.skippedAsPositive();
            dropped += o.droppedAsFalseNegative();
        }

        SamplingReport report() {
            return new SamplingReport(sampler, examples, perQuery, produced, toppedUpExamples, toppedUp, shortExamples,
                    notInCorpus, skipped, dropped);
        }
    }

    private NegativePicker() {
    }

    /**
     * Picks from a ranking.
     *
     * @param ranked corpus positions, best first
     * @param scores their scores (same length)
     * @param falseNegative given a score, whether it is a likely false negative; null for none
     * @param topUp whether to top up from random documents outside the ranking's first {@code to} ranks
     * @param scoreOf score of any corpus position, for margin checks on topped-up documents; null for none
     */
    static Outcome fromRanking(int[] ranked, float[] scores, RankWindow window, int n, Selection selection,
                               SplittableRandom rng, CorpusTextIndex index, PositiveExclusion exclusion,
                               java.util.function.DoublePredicate falseNegative, boolean topUp,
                               IntToDoubleFunction scoreOf) {
        Corpus corpus = index.corpus();
        long skipped = 0;
        long dropped = 0;
        Set<String> seen = new HashSet<>();
        List<SampledNegative> candidates = new ArrayList<>();
        int end = Math.min(window.to(), ranked.length);
        for (int r = window.from(); r < end; r++) {
            int p = ranked[r];
            String norm = index.normalizedText(p);
            if (exclusion.excludes(p, norm)) {
                skipped++;
                continue;
            }
            if (falseNegative != null && falseNegative.test(scores[r])) {
                dropped++;
                continue;
            }
            if (!seen.add(norm)) {
                continue;
            }
            CorpusDocument d = corpus.get(p);
            candidates.add(new SampledNegative(d.id(), p, d.fullText(), r, scores[r], false));
        }
        List<SampledNegative> chosen;
        if (candidates.size() <= n || selection == Selection.TOP) {
            chosen = new ArrayList<>(candidates.subList(0, Math.min(n, candidates.size())));
        } else {
            chosen = new ArrayList<>(n);
            List<SampledNegative> pool = new ArrayList<>(candidates);
            for (int i = 0; i < n; i++) {
                int j = i + rng.nextInt(pool.size() - i);
                SampledNegative t = pool.get(i);
                pool.set(i, pool.get(j));
                pool.set(j, t);
                chosen.add(pool.get(i));
            }
            chosen.sort(Comparator.comparingInt(SampledNegative::rank));
        }
        int toppedUp = 0;
        if (chosen.size() < n && topUp) {
            Set<Integer> blocked = new HashSet<>();
            for (int r = 0; r < end; r++) {
                blocked.add(ranked[r]);
            }
            Set<String> chosenNorms = new HashSet<>();
            for (SampledNegative c : chosen) {
                chosenNorms.add(index.normalizedText(c.position()));
            }
            long[] droppedBox = {0};
            IntPredicate accept = p -> {
                if (blocked.contains(p)) {
                    return false;
                }
                String norm = index.normalizedText(p);
                if (exclusion.excludes(p, norm) || chosenNorms.contains(norm)) {
                    return false;
                }
                if (falseNegative != null && scoreOf != null && falseNegative.test(scoreOf.applyAsDouble(p))) {
                    droppedBox[0]++;
                    return false;
                }
                chosenNorms.add(norm);
                return true;
            };
            for (int p : randomPositions(rng, corpus.size(), n - chosen.size(), accept)) {
                CorpusDocument d = corpus.get(p);
                double s = scoreOf == null ? Double.NaN : scoreOf.applyAsDouble(p);
                chosen.add(new SampledNegative(d.id(), p, d.fullText(), -1, s, true));
                toppedUp++;
            }
            dropped += droppedBox[0];
        }
        return new Outcome(chosen, toppedUp, chosen.size() < n, skipped, dropped);
    }

    /** Picks purely at random. */
    static Outcome random(int n, SplittableRandom rng, CorpusTextIndex index, PositiveExclusion exclusion) {
        Corpus corpus = index.corpus();
        Set<String> chosenNorms = new HashSet<>();
        long[] skipped = {0};
        IntPredicate accept = p -> {
            String norm = index.normalizedText(p);
            if (exclusion.excludes(p, norm)) {
                skipped[0]++;
                return false;
            }
            return chosenNorms.add(norm);
        };
        List<SampledNegative> chosen = new ArrayList<>(n);
        for (int p : randomPositions(rng, corpus.size(), n, accept)) {
            CorpusDocument d = corpus.get(p);
            chosen.add(new SampledNegative(d.id(), p, d.fullText(), -1, Double.NaN, false));
        }
        return new Outcome(chosen, 0, chosen.size() < n, skipped[0], 0);
    }

    /**
     * Draws up to {@code needed} distinct positions in [0, size) that {@code accept} accepts (accept
     * is called at most once per position). Rejection sampling while it works, then a seeded
     * permutation of the rest, so a small or mostly-excluded corpus still ends with every
     * acceptable document rather than an arbitrary shortfall.
     */
    static List<Integer> randomPositions(SplittableRandom rng, int size, int needed, IntPredicate accept) {
        List<Integer> out = new ArrayList<>(Math.max(0, needed));
        if (needed <= 0 || size == 0) {
            return out;
        }
        Set<Integer> tried = new HashSet<>();
        int attempts = 0;
        int maxAttempts = 8 * needed + 32;
        boolean dense = size <= 4L * (needed + 16);
        while (!dense && out.size() < needed && attempts < maxAttempts) {
            attempts++;
            int p = rng.nextInt(size);
            if (tried.add(p) && accept.test(p)) {
                out.add(p);
            }
        }
        if (out.size() < needed) {
            int[] perm = new int[size];
            for (int i = 0; i < size; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < size && out.size() < needed; i++) {
                int j = i + rng.nextInt(size - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                int p = perm[i];
                if (tried.add(p) && accept.test(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
