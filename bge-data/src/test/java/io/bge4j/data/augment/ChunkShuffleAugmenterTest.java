package io.bge4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkShuffleAugmenterTest {

    @Test
    void twoChunksAreAlwaysSwapped() {
        for (int seed = 0; seed < 10; seed++) {
            assertEquals("def abc", ChunkShuffleAugmenter.shuffle("abcdef", 2, new SplittableRandom(seed)));
        }
    }

    @Test
    void threeChunksNeverKeepTheOriginalOrder() {
        Set<String> allowed = Set.of("abc ghi def", "def abc ghi", "def ghi abc", "ghi abc def", "ghi def abc");
        for (int seed = 0; seed < 30; seed++) {
            String s = ChunkShuffleAugmenter.shuffle("abcdefghi", 3, new SplittableRandom(seed));
            assertTrue(allowed.contains(s), s);
        }
    }

    @Test
    void shufflesOnlyLongPositivesAndTagsTheCopies() {
        TrainingExample longOne = TrainingExample.builder().query("q1").positives(List.of("abcdef", "xy"))
                .positiveScores(List.of(0.9, 0.8)).source("real").build();
        TrainingExample shortOne = TrainingExample.builder().query("q2").positives(List.of("xyz")).source("real").build();
        TrainingSet out = ChunkShuffleAugmenter.builder().shuffleRatio(1.0).minChars(4).chunks(2).build()
                .augment(TrainingSet.of("real", List.of(longOne, shortOne)));
        assertEquals(1, out.size());
        TrainingExample e = out.get(0);
        assertEquals(List.of("def abc", "xy"), e.positives());
        assertEquals(List.of(0.9, 0.8), e.positiveScores());
        assertEquals("q1", e.query());
        assertEquals("real+chunk-shuffle", e.source());
    }

    @Test
    void ratioSelectsAboutThatShare() {
        List<TrainingExample> in = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            in.add(TrainingExample.of("q" + i, List.of("a long enough positive number " + i), List.of()));
        }
        ChunkShuffleAugmenter a = ChunkShuffleAugmenter.builder().shuffleRatio(0.2).minChars(10).seed(9).build();
        int n = a.augment(TrainingSet.of("s", in)).size();
        assertTrue(n > 150 && n < 250, "shuffled " + n + " of 1000 at ratio 0.2");
        assertEquals(n, a.augment(TrainingSet.of("s", in)).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkShuffleAugmenter.builder().chunks(1).build());
        assertTrue(e.getMessage().startsWith("chunks"), e.getMessage());
    }
}
