package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class LengthChunksProperties {

    @Provide
    Arbitrary<int[]> lengths() {
        return Arbitraries.integers().between(1, 400).array(int[].class).ofMinSize(0).ofMaxSize(80);
    }

    @Property(tries = 300)
    void orderAndInverseRoundTrip(@ForAll("lengths") int[] lengths, @ForAll @IntRange(min = 1, max = 40) int c) {
        LengthChunks p = LengthChunks.byCount(lengths, c);
        int[] order = p.order();
        int[] inv = p.inverse();
        int[] sortedOrder = order.clone();
        Arrays.sort(sortedOrder);
        for (int i = 0; i < lengths.length; i++) {
            assertEquals(i, sortedOrder[i], "order is a permutation");
            assertEquals(i, order[inv[i]]);
        }
        int[] permuted = new int[lengths.length];
        for (int r = 0; r < order.length; r++) {
            permuted[r] = lengths[order[r]];
        }
        int[] restored = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            restored[i] = permuted[inv[i]];
        }
        assertArrayEquals(lengths, restored);
    }

    @Property(tries = 300)
    void countChunksKeepTheChunkSizesAndNeverPadMoreThanTheGivenOrder(@ForAll("lengths") int[] lengths,
            @ForAll @IntRange(min = 1, max = 40) int c) {
        LengthChunks p = LengthChunks.byCount(lengths, c);
        int full = 0;
        for (int[] chunk : p.chunks()) {
            assertTrue(chunk.length >= 1 && chunk.length <= c);
            full += chunk.length == c ? 1 : 0;
        }
        assertTrue(full >= p.chunks().size() - 1, "at most one short chunk");
        assertEquals((lengths.length + c - 1) / c, p.chunks().size());
        assertEquals(Arrays.stream(lengths).asLongStream().sum(), p.realTokens());
        assertTrue(p.paddingEfficiency() <= 1.0);
        assertTrue(p.paddingEfficiency() >= LengthChunks.unsortedEfficiency(lengths, c) - 1e-12,
                () -> "sorted " + p.paddingEfficiency() + " < unsorted " + LengthChunks.unsortedEfficiency(lengths, c));
    }

    @Property(tries = 300)
    void budgetChunksStayWithinTheBudget(@ForAll("lengths") int[] lengths,
            @ForAll @IntRange(min = 400, max = 5000) int budget, @ForAll @IntRange(min = 1, max = 64) int maxTexts) {
        LengthChunks p = LengthChunks.byTokenBudget(lengths, budget, maxTexts);
        long processed = 0;
        for (int[] chunk : p.chunks()) {
            long padded = (long) chunk.length * p.paddedLength(chunk);
            assertTrue(padded <= budget, () -> padded + " > " + budget);
            assertTrue(chunk.length <= maxTexts);
            processed += padded;
        }
        assertEquals(processed, p.processedTokens());
        assertEquals(lengths.length, p.order().length);
    }

    @Property(tries = 200)
    void chunksFollowTheSortedLengths(@ForAll("lengths") int[] lengths, @ForAll @IntRange(min = 1, max = 20) int c) {
        int[] order = LengthChunks.byCount(lengths, c).order();
        for (int r = 1; r < order.length; r++) {
            assertTrue(lengths[order[r]] >= lengths[order[r - 1]]);
        }
    }

    @Property(tries = 50)
    void rejectsABudgetBelowTheLongestText(@ForAll @IntRange(min = 2, max = 400) int longest) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LengthChunks.byTokenBudget(new int[] {1, longest}, longest - 1, 8));
        assertTrue(e.getMessage().contains("below the longest text"), e.getMessage());
    }
}
