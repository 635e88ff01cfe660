package io.bge4j.data.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The miner's output respects the window, the count and the margins, checked against scores computed here. */
class DenseMinerProperties {
    private static final int DIM = 24;
    private static final double EPS = 1e-5;

    @Provide
    Arbitrary<SamplingFixtures.Case> cases() {
        return SamplingFixtures.cases();
    }

    @Provide
    Arbitrary<int[]> windows() {
        return Arbitraries.integers().between(0, 10).flatMap(from -> Arbitraries.integers().between(1, 15)
                .map(size -> new int[] {from, from + size}));
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Property(tries = 100)
    void respectsWindowCountAndMargins(@ForAll("cases") SamplingFixtures.Case c, @ForAll("windows") int[] w,
                                       @ForAll boolean topUp, @ForAll boolean random) {
        int n = 1 + (int) Math.floorMod(c.seed() >>> 3, 5L);
        double abs = Math.floorMod(c.seed(), 3L) == 0 ? Double.NaN : 0.05;
        double rel = Math.floorMod(c.seed(), 2L) == 0 ? Double.NaN : 0.1;
        DenseNegativeMiner miner = DenseNegativeMiner.builder().embedder(new HashingEmbedder(DIM))
                .rankWindow(w[0], w[1]).negativesPerQuery(n).absoluteMargin(abs).relativeMargin(rel)
                .topUpWithRandom(topUp).selection(random ? Selection.RANDOM : Selection.TOP).seed(c.seed())
                .searcher(new BruteForceSearcher()).build();
        SamplingResult r = miner.sample(c.examples(), c.corpus());
        Corpus corpus = c.corpus();
        long toppedUp = 0;
        for (int i = 0; i < c.examples().size(); i++) {
            TrainingExample e = c.examples().get(i);
            float[] q = HashingEmbedder.vector(e.query(), DIM);
            double weakest = Double.POSITIVE_INFINITY;
            for (String p : e.positives()) {
                weakest = Math.min(weakest, dot(q, HashingEmbedder.vector(p, DIM)));
            }
            double[] scores = new double[corpus.size()];
            for (int d = 0; d < corpus.size(); d++) {
                // float accumulation, as the searcher does, so that near-ties order the same way
                float[] v = HashingEmbedder.vector(corpus.get(d).fullText(), DIM);
                float f = 0;
                for (int j = 0; j < DIM; j++) {
                    f += q[j] * v[j];
                }
                scores[d] = f;
            }
            List<SampledNegative> prov = r.provenance().get(i);
            assertEquals(r.examples().get(i).negatives(), prov.stream().map(SampledNegative::text).toList());
            assertTrue(prov.size() <= n, "more than n negatives");
            Set<String> positives = new HashSet<>();
            e.positives().forEach(p -> positives.add(TextNormalizer.normalize(p)));
            int windowEnd = Math.min(w[1], corpus.size());
            // expected count without top-up: distinct eligible texts ranked in the window
            Set<String> eligible = new HashSet<>();
            double lastInRanking = Double.NaN;
            Integer[] order = new Integer[corpus.size()];
            for (int d = 0; d < order.length; d++) {
                order[d] = d;
            }
            java.util.Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a])
                    : Integer.compare(a, b));
            for (int rank = 0; rank < windowEnd; rank++) {
                int d = order[rank];
                lastInRanking = scores[d];
                String norm = TextNormalizer.normalize(corpus.get(d).fullText());
                boolean positive = positives.contains(norm) || positives.contains(
                        TextNormalizer.normalize(corpus.get(d).text()));
                if (rank >= w[0] && !positive && passesMargins(scores[d], weakest, abs, rel)) {
                    eligible.add(norm);
                }
            }
            for (SampledNegative sn : prov) {
                double s = scores[sn.position()];
                assertEquals(s, sn.score(), EPS, "reported score");
                assertTrue(passesMargins(s, weakest, abs, rel) || Math.abs(s - marginLimit(weakest, abs, rel)) < EPS,
                        "margin violated: score " + s + ", weakest positive " + weakest);
                if (sn.toppedUp()) {
                    toppedUp++;
                    assertEquals(-1, sn.rank());
                    assertTrue(topUp, "topped up although top-up is off");
                    assertTrue(s <= lastInRanking + EPS, "a topped-up negative outranks the searched window");
                } else {
                    assertTrue(sn.rank() >= w[0] && sn.rank() < w[1], "rank " + sn.rank() + " outside " + w[0] + ".." + w[1]);
                    // the reported rank agrees with the scores: no more than `rank` documents score clearly higher
                    long higher = java.util.Arrays.stream(scores).filter(x -> x > s + EPS).count();
                    long atLeast = java.util.Arrays.stream(scores).filter(x -> x >= s - EPS).count();
                    assertTrue(higher <= sn.rank() && sn.rank() < atLeast, "rank inconsistent with scores");
                }
            }
            long fromWindow = prov.stream().filter(sn -> !sn.toppedUp()).count();
            assertEquals(Math.min(n, eligible.size()), fromWindow, "window yield for example " + i);
            if (!topUp) {
                assertEquals(Math.min(n, eligible.size()), prov.size());
            }
        }
        assertEquals(toppedUp, r.report().negativesToppedUp());
    }

    private static double marginLimit(double weakest, double abs, double rel) {
        double limit = Double.POSITIVE_INFINITY;
        if (!Double.isNaN(abs)) {
            limit = Math.min(limit, weakest - abs);
        }
        if (!Double.isNaN(rel)) {
            limit = Math.min(limit, weakest * (1 - rel));
        }
        return limit;
    }

    private static boolean passesMargins(double s, double weakest, double abs, double rel) {
        return s <= marginLimit(weakest, abs, rel);
    }
}
