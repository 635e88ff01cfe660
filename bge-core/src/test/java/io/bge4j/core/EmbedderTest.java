package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bge4j.core.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbedderTest {

    private static final List<String> TEXTS = List.of("short", "", "a much longer text with many words in it indeed",
            "medium sized text here", "x", "another fairly long text that has a number of words");

    @Test
    void outputIsInInputOrderAndIndependentOfBatching() {
        try (BgeModel m = TinyModels.bert(TEXTS, 5)) {
            float[][] one;
            try (Embedder e = m.embedder().batchSize(1).build()) {
                one = e.encode(TEXTS);
            }
            try (Embedder e = m.embedder().batchSize(4).build()) {
                float[][] four = e.encode(TEXTS);
                for (int i = 0; i < TEXTS.size(); i++) {
                    assertArrayEquals(one[i], four[i], 1e-5f, "text " + i);
                }
                // reversed input gives reversed output
                List<String> rev = new ArrayList<>(TEXTS);
                java.util.Collections.reverse(rev);
                float[][] r = e.encode(rev);
                assertArrayEquals(one[0], r[TEXTS.size() - 1], 1e-5f);
                double norm = 0;
                for (float v : one[2]) {
                    norm += v * v;
                }
                assertEquals(1.0, norm, 1e-5);
                assertEquals(0, e.encode(List.of()).length);
            }
        }
    }

    @Test
    void queriesGetTheInstructionAndTruncationApplies() {
        List<String> vocab = List.of("q", "hello", "world", "one", "two", "three", "four", "five");
        try (BgeModel m = BgeModel.builder().config(new EncoderConfig("bert", 13, 32, 1, 4, 64, 16, 2, 1e-12, 0, "gelu", 0.1, 0.1))
                .tokenizerJson(io.bge4j.core.testing.TinyModels.tokenizerJson(vocab, false)).queryInstruction("q ")
                .buildRandom(1)) {
            try (Embedder e = m.embedder().build()) {
                assertArrayEquals(e.encode(List.of("q hello"))[0], e.encodeQueries(List.of("hello"))[0], 0f);
                assertNotEquals(e.encode(List.of("hello"))[0][0], e.encodeQueries(List.of("hello"))[0][0]);
            }
            try (Embedder e = m.embedder().maxLength(4).build()) {
                // with 4 tokens ([CLS] one two [SEP]) everything after "two" is cut
                assertArrayEquals(e.encode(List.of("one two"))[0], e.encode(List.of("one two three four five"))[0], 0f);
            }
            // a 16-position model truncates long texts instead of failing
            try (Embedder e = m.embedder().build()) {
                assertEquals(32, e.encode(List.of("one ".repeat(100)))[0].length);
            }
            assertEquals("maxLength must be in [2, 16], got 17",
                    assertThrows(IllegalArgumentException.class, () -> m.embedder().maxLength(17).build()).getMessage());
            assertEquals("batchSize must be >= 1, got 0",
                    assertThrows(IllegalArgumentException.class, () -> m.embedder().batchSize(0).build()).getMessage());
        }
    }

    @Test
    void fingerprintFollowsWeights() {
        try (BgeModel a = TinyModels.bert(TEXTS, 5); BgeModel b = TinyModels.bert(TEXTS, 5); BgeModel c = TinyModels.bert(TEXTS, 6)) {
            assertEquals(a.embedder().build().fingerprint(), b.embedder().build().fingerprint());
            assertNotEquals(a.embedder().build().fingerprint(), c.embedder().build().fingerprint());
        }
    }

    @Test
    void progressIsReported() {
        List<Integer> seen = new ArrayList<>();
        try (BgeModel m = TinyModels.bert(TEXTS, 5); Embedder e = m.embedder().batchSize(4).progress((d, t) -> seen.add(d)).build()) {
            e.encode(TEXTS);
        }
        assertEquals(List.of(4, 6), seen);
    }
}
