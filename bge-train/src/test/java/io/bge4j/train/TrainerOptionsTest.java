package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerOptionsTest {

    private static List<Double> losses(Finetuner.Builder b) {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1, 0.0)) {
            return b.model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2).learningRate(1e-3)
                    .seed(4).build().fit().steps().stream().map(StepRecord::loss).toList();
        }
    }

    @Test
    void crossBatchMemoryServesFromTheZeroBasedWarmupStep() {
        List<Double> none = losses(Finetuner.builder().maxSteps(3));
        List<Double> warm2 = losses(Finetuner.builder().maxSteps(3).crossBatchMemory(16, 2));
        // steps 1 and 2 (0-based 0 and 1) are inside the warm-up: the same as without memory
        assertEquals(none.subList(0, 2), warm2.subList(0, 2));
        // step 3 (0-based 2) sees the 8 remembered passages as extra negatives
        assertNotEquals(none.get(2), warm2.get(2));
        assertTrue(warm2.get(2) > none.get(2), "more negatives, higher InfoNCE: " + warm2 + " vs " + none);
    }

    @Test
    void matryoshkaTrainsAtEveryDimensionAndIsCheckedAgainstTheModel() {
        List<Double> full = losses(Finetuner.builder().maxSteps(2));
        List<Double> mrl = losses(Finetuner.builder().maxSteps(2).matryoshka(List.of(32, 16, 8), List.of(1.0, 1.0, 1.0)));
        assertEquals(2, mrl.size());
        assertTrue(mrl.get(0) > 2 * full.get(0), "three terms of similar size: " + mrl + " vs " + full);
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            assertEquals("matryoshka dimension 64 exceeds the model's dimension 32", assertThrows(
                    IllegalArgumentException.class, () -> Finetuner.builder().model(m).matryoshka(List.of(64, 16),
                            List.of(1.0, 1.0)).build()).getMessage());
            assertEquals("matryoshka weights must have one value per dimension (2), got 1", assertThrows(
                    IllegalArgumentException.class, () -> Finetuner.builder().matryoshka(List.of(32, 16),
                            List.of(1.0)).build()).getMessage());
        }
    }

    @Test
    void aMatryoshkaRunSavesTheDimensionsItTrainedFor(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1, 0.0)) {
            Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2).maxSteps(1)
                    .matryoshka(List.of(16, 32, 8), List.of(1.0, 1.0, 1.0)).outputDir(dir).build().fit();
            assertEquals(List.of(32, 16, 8), m.matryoshkaDimensions());
            try (BgeModel saved = BgeModel.load(dir.resolve("final"))) {
                assertEquals(List.of(32, 16, 8), saved.matryoshkaDimensions());
            }
        }
        try (BgeModel plain = TinyModels.bert(FinetunerTest.allTexts(), 1, 0.0)) {
            Finetuner.builder().model(plain).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2)
                    .maxSteps(1).build().fit();
            assertEquals(List.of(), plain.matryoshkaDimensions());
        }
    }

    @Test
    void examplesWithoutNegativesInASingleBatchAreRefusedBeforeTraining() {
        List<io.bge4j.data.TrainingExample> bare = new java.util.ArrayList<>();
        for (String[] p : FinetunerTest.PAIRS) {
            bare.add(io.bge4j.data.TrainingExample.of(p[0], List.of(p[1]), List.of()));
        }
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 1)) {
            io.bge4j.core.Bge4jException e = assertThrows(io.bge4j.core.Bge4jException.class, () -> Finetuner.builder()
                    .batchSize(8).groupSize(2).maxSteps(1).build().fit(m, io.bge4j.data.TrainingSet.of("bare", bare)));
            assertTrue(e.getMessage().contains("NOTHING_TO_BORROW") && e.getMessage().contains("use groupSize 1"),
                    e.getMessage());
        }
    }
}
