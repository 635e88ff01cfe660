package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;

class BatchSourceTest {

    private static BgeModel model;

    @BeforeContainer
    static void load() {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            words.add("query" + i + " passage" + i + " other" + i);
        }
        model = TinyModels.bert(words, 1, 0.0);
    }

    @AfterContainer
    static void close() {
        model.close();
    }

    /** {@code n} examples; with {@code shared}, each shares its second positive with the next one; the first few have a negative. */
    private static TrainingSet bare(int n, int withNegatives) {
        return bare(n, withNegatives, true);
    }

    private static TrainingSet bare(int n, int withNegatives, boolean shared) {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> pos = shared ? List.of("passage" + i, "passage" + ((i + 1) % n)) : List.of("passage" + i);
            List<String> neg = i < withNegatives ? List.of("other" + i) : List.of();
            ex.add(TrainingExample.of("query" + i, pos, neg));
        }
        return TrainingSet.of("bare", ex);
    }

    private static BatchSource source(TrainingSet set, int batch, int group, long seed) {
        Finetuner f = Finetuner.builder().batchSize(batch).groupSize(group).seed(seed).build();
        RunSettings s = ConfigRules.resolve(f.config(), model, set);
        return new BatchSource(s, set.examples(), new RunLog(List.of()));
    }

    @Property(tries = 30)
    void borrowedNegativesAreNeverATextOfTheBatchNorRepeatedInAGroup(@ForAll @IntRange(min = 9, max = 30) int n,
            @ForAll @IntRange(min = 2, max = 5) int batch, @ForAll @IntRange(min = 2, max = 4) int group,
            @ForAll @IntRange(min = 0, max = 5) int withNegatives, @ForAll long seed) {
        Assume.that(n > 2 * batch); // a batch's examples cover at most 2·batch positives: others remain to borrow
        BatchSource src = source(bare(n, withNegatives), batch, group, seed);
        for (long micro = 0; micro < 6; micro++) {
            List<TrainingExample> examples = src.examplesOf(micro);
            MicroBatch b = src.assemble(micro);
            Set<String> batchTexts = new HashSet<>();
            for (TrainingExample e : examples) {
                batchTexts.addAll(e.positives());
                batchTexts.add(e.query());
            }
            for (int i = 0; i < examples.size(); i++) {
                if (!examples.get(i).negatives().isEmpty()) {
                    continue;
                }
                List<String> borrowed = b.passages().subList(i * group + 1, (i + 1) * group);
                for (String p : borrowed) {
                    assertFalse(batchTexts.contains(p), p + " is a text of the batch " + examples);
                }
                if (n - 2 * batch >= group) { // enough distinct candidates: no repeats within one group
                    assertEquals(borrowed.size(), new HashSet<>(borrowed).size(), "repeated in a group: " + borrowed);
                }
            }
        }
    }

    @Property(tries = 20)
    void everyEpochHasFloorNOverBFullBatchesOfDistinctExamples(@ForAll @IntRange(min = 4, max = 30) int n,
            @ForAll @IntRange(min = 1, max = 4) int batch, @ForAll long seed) {
        BatchSource src = source(bare(n, n, false), batch, 2, seed);
        long perEpoch = src.microBatchesPerEpoch();
        assertEquals(n / batch, perEpoch);
        for (int epoch = 0; epoch < 3; epoch++) {
            Set<String> seen = new HashSet<>();
            for (long k = 0; k < perEpoch; k++) {
                List<TrainingExample> b = src.examplesOf(epoch * perEpoch + k);
                assertEquals(batch, b.size(), "every batch is full (the remainder is dropped)");
                for (TrainingExample e : b) {
                    assertTrue(seen.add(e.query()), "an example twice in epoch " + epoch);
                }
            }
            assertEquals(perEpoch * batch, seen.size());
        }
    }

    @Property(tries = 1)
    void teacherScoresReachTheBatchOnlyWhenEveryExampleHasThemAll() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ex.add(TrainingExample.builder().query("query" + i).positives(List.of("passage" + i))
                    .negatives(List.of("other" + i)).positiveScores(List.of(1.0 + i)).negativeScores(List.of(0.5))
                    .build());
        }
        BatchSource all = source(TrainingSet.of("t", ex), 4, 2, 1);
        MicroBatch b = all.assemble(0);
        assertNotNull(b.teacher());
        for (int i = 0; i < b.queries().size(); i++) {
            int q = Integer.parseInt(b.queries().get(i).replaceAll("\\D+", ""));
            assertEquals(1.0 + q, b.teacher()[i][0]);
            assertEquals(0.5, b.teacher()[i][1]);
        }
        List<TrainingExample> mixed = new ArrayList<>(ex);
        mixed.set(2, TrainingExample.builder().query("query2").positives(List.of("passage2")) // scored positive, no negatives
                .positiveScores(List.of(3.0)).build());
        BatchSource src = source(TrainingSet.of("m", mixed), 4, 2, 1);
        for (long micro = 0; micro < 2; micro++) {
            MicroBatch m = src.assemble(micro);
            boolean hasBorrower = m.queries().stream().anyMatch(q -> q.endsWith("query2"));
            assertEquals(hasBorrower, m.teacher() == null,
                    "a borrowed negative has no teacher score, so only its batch carries none");
        }
    }
}
