package io.bge4j.core.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {

    private static Function<List<String>, float[][]> countingEncoder(AtomicInteger calls) {
        return texts -> {
            calls.incrementAndGet();
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < texts.size(); i++) {
                out[i] = new float[] {texts.get(i).length(), i, -1.5f};
            }
            return out;
        };
    }

    @Test
    void secondCallIsServedFromDisk(@TempDir Path dir) throws IOException {
        EmbeddingCache cache = EmbeddingCache.in(dir.resolve("cache"));
        AtomicInteger calls = new AtomicInteger();
        List<String> texts = List.of("alpha", "be", "");
        EmbeddingMatrix first = cache.getOrCompute("fp1", texts, countingEncoder(calls));
        EmbeddingMatrix second = cache.getOrCompute("fp1", texts, countingEncoder(calls));
        assertEquals(1, calls.get());
        assertEquals(3, second.rows());
        assertEquals(3, second.dimension());
        assertArrayEquals(first.toFlatArray(), second.toFlatArray());
        assertArrayEquals(new float[] {2f, 1f, -1.5f}, second.row(1));
        try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), "no temp file may be left behind: " + all);
            assertTrue(all.get(0).getFileName().toString().endsWith(".emb"));
            // 8 magic + 3 ints + 9 floats
            assertEquals(8 + 12 + 36, Files.size(all.get(0)));
        }
    }

    @Test
    void keyDependsOnFingerprintTextsAndOrder() {
        String base = EmbeddingCache.key("fp", List.of("a", "b"));
        assertEquals(64, base.length());
        assertEquals(base, EmbeddingCache.key("fp", List.of("a", "b")));
        assertNotEquals(base, EmbeddingCache.key("fp2", List.of("a", "b")));
        assertNotEquals(base, EmbeddingCache.key("fp", List.of("b", "a")));
        assertNotEquals(base, EmbeddingCache.key("fp", List.of("ab")));
        assertNotEquals(base, EmbeddingCache.key("fp", List.of("a", "b", "")));
    }

    @Test
    void corruptFileIsIgnoredAndRewritten(@TempDir Path dir) throws IOException {
        EmbeddingCache cache = EmbeddingCache.in(dir);
        List<String> texts = List.of("x", "yy");
        String key = EmbeddingCache.key("fp", texts);
        Files.writeString(cache.pathOf(key), "BGE4JEMB truncated");
        assertTrue(cache.load(key).isEmpty());
        AtomicInteger calls = new AtomicInteger();
        EmbeddingMatrix m = cache.getOrCompute("fp", texts, countingEncoder(calls));
        assertEquals(1, calls.get());
        assertArrayEquals(m.toFlatArray(), cache.load(key).orElseThrow().toFlatArray());
    }
}
