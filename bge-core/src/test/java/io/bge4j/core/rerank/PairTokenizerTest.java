package io.bge4j.core.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.testing.TinyModels;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pair templates against the HF tokenizer's own pair encoding, and the truncation rules with hand-checked ids. */
class PairTokenizerTest {

    // words get ids 5, 6, ... in this order (0-4 are the special tokens)
    private static final List<String> WORDS = List.of("a b c d e f g h i j k l m n o p q r s t");
    private static final List<String> VOCAB = TinyModels.vocabulary(WORDS);

    private static final List<String[]> PAIRS = List.of(
            new String[] {"a b c", "d e f g"},
            new String[] {"", "h i"},
            new String[] {"t s r q p o", ""},
            new String[] {"A, b! unknownword", "c. D"});

    @Test
    void bertTemplateMatchesHuggingFacePairEncoding() throws Exception {
        byte[] json = TinyModels.tokenizerJson(VOCAB, false);
        try (PairTokenizer t = new PairTokenizer(json, 2, "tiny");
                HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                        Map.of("truncation", "false"))) {
            assertEquals(3, t.specialTokensPerPair());
            for (String[] p : PAIRS) {
                Encoding e = hf.encode(p[0], p[1], true, false);
                EncodedPair ours = t.encode(p[0], p[1], new PairLimits(100, 100, 200));
                assertArrayEquals(e.getIds(), ours.ids(), p[0] + " | " + p[1]);
                assertArrayEquals(e.getTypeIds(), ours.typeIds(), p[0] + " | " + p[1]);
            }
        }
    }

    @Test
    void robertaTemplateMatchesHuggingFacePairEncoding() throws Exception {
        byte[] json = CrossEncoderTest.robertaTokenizer(VOCAB);
        try (PairTokenizer t = new PairTokenizer(json, 1, "tiny-xlmr");
                HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                        Map.of("truncation", "false"))) {
            assertEquals(4, t.specialTokensPerPair());
            for (String[] p : PAIRS) {
                Encoding e = hf.encode(p[0], p[1], true, false);
                EncodedPair ours = t.encode(p[0], p[1], new PairLimits(100, 100, 200));
                assertArrayEquals(e.getIds(), ours.ids(), p[0] + " | " + p[1]);
                assertArrayEquals(e.getTypeIds(), ours.typeIds());
            }
            // <s> a b </s></s> c </s>  with <s>=0, </s>=2, a=5
            assertArrayEquals(new long[] {0, 5, 6, 2, 2, 7, 2}, t.encode("a b", "c", new PairLimits(9, 9, 20)).ids());
        }
    }

    @Test
    void singleTypeModelsGetZeroSegmentsEvenWithATypedTemplate() {
        // TinyModels' XLM-R template marks B with type 1, but the model has one token type
        try (PairTokenizer t = new PairTokenizer(TinyModels.tokenizerJson(VOCAB, true), 1, "tiny")) {
            assertArrayEquals(new long[5], t.encode("a", "b", new PairLimits(9, 9, 20)).typeIds());
        }
    }

    @Test
    void flagEmbeddingTrainingBudgets() {
        assertEquals(new PairLimits(64, 144, 160), PairLimits.training(32, 128));
        assertEquals(new PairLimits(6, 10, 12), PairLimits.training(4, 8));
        assertEquals(new PairLimits(384, 512, 512), PairLimits.inference(512));
        assertEquals(new PairLimits(7, 10, 10), PairLimits.inference(10));
    }

    @Test
    void queryAndPassageAreCutToTheirBudgetsThenThePassageToThePairBudget() {
        try (PairTokenizer t = new PairTokenizer(TinyModels.tokenizerJson(VOCAB, false), 2, "tiny")) {
            PairLimits l = PairLimits.training(4, 8);  // query 6, passage 10, pair 12
            // query: 8 words -> first 6 (a..f = 5..10); passage: 12 words -> first 10, then the pair
            // 6 + 10 + 3 specials = 19 > 12: the passage keeps 12 - 3 - 6 = 3 tokens (g h i = 11..13)
            EncodedPair p = t.encode("a b c d e f g h", "g h i j k l m n o p q r", l);
            assertArrayEquals(new long[] {2, 5, 6, 7, 8, 9, 10, 3, 11, 12, 13, 3}, p.ids());
            assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, p.typeIds());
            // short texts are not cut: 2 + 3 + 3 = 8 <= 12
            assertArrayEquals(new long[] {2, 5, 6, 3, 7, 8, 9, 3}, t.encode("a b", "c d e", l).ids());
            // passage budget alone binds: pair budget 30, passage cut to 10 tokens (a..j = 5..14)
            EncodedPair longP = t.encode("t", "a b c d e f g h i j k l m n", new PairLimits(6, 10, 30));
            assertArrayEquals(new long[] {2, 24, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 3}, longP.ids());
        }
    }

    @Test
    void aQueryThatFillsThePairBudgetIsCutTooSoThePairFits() {
        try (PairTokenizer t = new PairTokenizer(TinyModels.tokenizerJson(VOCAB, false), 2, "tiny")) {
            EncodedPair p = t.encode("a b c d e f g h", "i j", new PairLimits(10, 10, 7));
            assertArrayEquals(new long[] {2, 5, 6, 7, 8, 3, 3}, p.ids());
        }
    }

    @Test
    void tokenizerWithoutPairTemplateIsRejected() {
        String json = new String(TinyModels.tokenizerJson(VOCAB, false), StandardCharsets.UTF_8)
                .replace("\"TemplateProcessing\"", "\"ByteLevel\"");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> new PairTokenizer(json.getBytes(StandardCharsets.UTF_8), 2, "x"));
        assertEquals(true, e.getMessage().contains("pair template"), e.getMessage());
    }
}
