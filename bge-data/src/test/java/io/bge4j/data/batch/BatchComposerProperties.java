package io.bge4j.data.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TextNormalizer;
import io.bge4j.data.TrainingExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class BatchComposerProperties {
    private static final String[] WORDS = {"a", "b", "c", "d", "e", "f", "g"};

    /** Examples over a tiny vocabulary, so texts collide often; {@code type} carries the input index. */
    static List<TrainingExample> examples(long seed, int n) {
        Random rnd = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> pos = new ArrayList<>();
            List<String> neg = new ArrayList<>();
            int np = 1 + rnd.nextInt(2);
            for (int j = 0; j < np; j++) {
                pos.add(text(rnd));
            }
            int nn = rnd.nextInt(4);
            for (int j = 0; j < nn; j++) {
                neg.add(rnd.nextInt(6) == 0 ? pos.get(0).toUpperCase() : text(rnd)); // sometimes a positive in disguise
            }
            String source = "set" + rnd.nextInt(3);
            out.add(new TrainingExample(text(rnd) + "?", pos, neg, null, null, null, String.valueOf(i), source));
        }
        return out;
    }

    private static String text(Random rnd) {
        int len = 1 + rnd.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(i > 0 ? " " : "").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 100)
    void batchesNeverContainDuplicateTextsAndLoseNothing(@ForAll("seeds") long seed,
                                                         @ForAll @IntRange(min = 0, max = 80) int n,
                                                         @ForAll @IntRange(min = 1, max = 8) int batchSize,
                                                         @ForAll boolean sameDataset, @ForAll boolean bucketing,
                                                         @ForAll boolean dropIncomplete) {
        List<TrainingExample> in = examples(seed, n);
        BatchComposer composer = BatchComposer.builder().batchSize(batchSize).seed(seed)
                .sameDatasetPerBatch(sameDataset).lengthBucketing(bucketing ? String::length : null)
                .dropIncomplete(dropIncomplete).lookahead((int) Math.floorMod(seed, 5L)).build();
        BatchPlan plan = composer.compose(in, 3);
        List<String> placed = new ArrayList<>();
        for (Batch b : plan.batches()) {
            assertTrue(b.size() >= 1 && b.size() <= batchSize);
            if (dropIncomplete) {
                assertEquals(batchSize, b.size());
            }
            Set<String> batchTexts = new HashSet<>();
            for (TrainingExample e : b.examples()) {
                placed.add(e.type());
                Set<String> own = new HashSet<>();
                own.add(TextNormalizer.normalize(e.query()));
                Set<String> passages = new HashSet<>();
                for (String p : e.positives()) {
                    assertTrue(passages.add(TextNormalizer.normalize(p)), "repeated positive in " + e);
                }
                for (String p : e.negatives()) {
                    assertTrue(passages.add(TextNormalizer.normalize(p)), "negative repeats a passage in " + e);
                }
                own.addAll(passages);
                for (String t : own) {
                    assertTrue(batchTexts.add(t), "text '" + t + "' appears in two examples of batch " + b.index());
                }
                if (sameDataset) {
                    assertEquals(b.dataset(), e.source());
                }
            }
        }
        plan.leftover().forEach(e -> placed.add(e.type()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.valueOf(i));
        }
        assertEquals(expected, placed.stream().sorted((x, y) -> Integer.compare(Integer.parseInt(x),
                Integer.parseInt(y))).toList(), "every example is placed exactly once");
        assertEquals(plan.leftover().size(), plan.report().leftoverExamples());
        assertEquals(plan.batches().size(), plan.report().batches());
        assertEquals(plan, composer.compose(in, 3), "same seed and epoch, same plan");
    }
}
