package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiny random BERT and XLM-R encoders against {@link NaiveBert}, batched with padding. */
class TinyEncoderReferenceTest {

    private static final List<String> TEXTS = List.of(
            "apt installs packages from the debian archive",
            "a",
            "",
            "the kernel image for sixty four bit pcs with many many modules and firmware blobs",
            "中文 分词 测试");

    @Test
    void naiveErfIsAccurate() {
        assertEquals(0.8427007929497149, NaiveBert.erf(1.0), 1e-14);
        assertEquals(-0.9953222650189527, NaiveBert.erf(-2.0), 1e-14);
    }

    @Test
    void tinyXlmRobertaMatchesIndependentForward() {
        check(TinyModels.xlmRoberta(TEXTS, 7));
    }

    @Test
    void tinyBertMatchesIndependentForward() {
        check(TinyModels.bert(TEXTS, 11));
    }

    private static void check(BgeModel model) {
        try (model; Embedder emb = model.embedder().batchSize(5).build()) {
            // every text in one padded batch: masking and (for XLM-R) padding-skipping positions matter
            float[][] ours = emb.encode(TEXTS);
            NaiveBert ref = new NaiveBert(model.config(), model.toTensors());
            long[][] ids = model.tokenizer().encode(TEXTS, model.maxLength());
            assertTrue(ids[3].length > ids[0].length, "texts must differ in length so padding occurs");
            for (int i = 0; i < TEXTS.size(); i++) {
                double[] cls = ref.cls(ids[i]);
                double n = 0;
                for (double v : cls) {
                    n += v * v;
                }
                n = Math.sqrt(n);
                for (int j = 0; j < cls.length; j++) {
                    assertEquals(cls[j] / n, ours[i][j], 2e-5, model.name() + " text " + i + " dim " + j);
                }
            }
        }
    }
}
