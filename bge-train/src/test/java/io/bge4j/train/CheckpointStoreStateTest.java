package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.train.report.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints write and read their state only through {@link TrainerState}. */
class CheckpointStoreStateTest {

    @TempDir
    Path dir;

    @Test
    void aCheckpointsStateFileIsATrainerStateWithTheResumeFields() {
        Path out = dir.resolve("run");
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            Finetuner.builder().model(m).trainingSet(FinetunerTest.trainingSet()).batchSize(4).groupSize(2)
                    .learningRate(1e-3).maxSteps(4).seed(11).saveFinal(false).outputDir(out).checkpointEvery(2)
                    .build().fit();
        }
        TrainerState st = TrainerState.read(out.resolve("checkpoints/step-00000002/trainer_state.json"));
        assertEquals(TrainerState.SCHEMA, st.schema());
        assertEquals(2, st.step());
        assertEquals(4, st.totalSteps());
        assertEquals(11, st.seed());
        assertEquals(FinetunerTest.trainingSet().size(), st.examples());
        assertEquals("11", st.options().get("seed"));
        assertEquals("4", st.options().get("totalSteps"));
        assertEquals(64, st.dataSha256().length());
        assertNull(st.bestValue()); // no evaluator: -Infinity in memory, null on disk
        assertNull(st.memory());
        CheckpointStore.Loaded back = CheckpointStore.read(out.resolve("checkpoints/step-00000002"));
        assertEquals(st.options(), back.contents().options());
        assertEquals(st.dataSha256(), back.contents().dataHash());
        assertEquals(EvaluationPolicy.State.INITIAL, back.contents().eval());
    }

    @Test
    void resumeFieldsRoundTripThroughJson() throws IOException {
        TrainerState s = new TrainerState(TrainerState.SCHEMA, 6, 10, 1, 7, 12, "ndcg@10", 0.1 + 0.2, 4L, 2, 0.3,
                null, null, "2026-01-01T00:00:00Z", "ab".repeat(32), Map.of("seed", "7", "batchSize", "4"),
                new TrainerState.Memory(List.of("p1", "p2"), 1));
        s.write(dir);
        TrainerState back = TrainerState.read(dir.resolve(TrainerState.FILE));
        assertEquals(s, back);
        assertEquals(0.30000000000000004, back.bestValue()); // the double survives to the last bit
    }

    @Test
    void readsTheStateFileCheckpointsWroteBeforeTheSchema() throws IOException {
        Files.writeString(dir.resolve(TrainerState.FILE), """
                {"step": 3, "data_sha256": "abc", "best_value": "-Infinity", "best_step": -1,
                 "evals_without_improvement": 0, "patience_reference": "-Infinity",
                 "options": {"seed": "11"}, "memory": {"next": 2, "texts": ["x", "y"]}}
                """);
        TrainerState st = TrainerState.read(dir.resolve(TrainerState.FILE));
        assertNull(st.schema());
        assertEquals(3, st.step());
        assertEquals("abc", st.dataSha256());
        assertEquals(Map.of("seed", "11"), st.options());
        assertEquals(new TrainerState.Memory(List.of("x", "y"), 2), st.memory());
        assertNull(st.bestValue());
        assertNull(st.bestStep());
    }

    @Test
    void aMissingStateFileIsNamed() {
        Bge4jException e = assertThrows(Bge4jException.class, () -> CheckpointStore.read(dir));
        assertTrue(e.getMessage().contains(dir.resolve("trainer_state.json").toString()), e.getMessage());
    }

    @Test
    void aCorruptStateFileIsNamed() throws IOException {
        Files.writeString(dir.resolve("trainer_state.json"), "{\"step\": 3, \"patience");
        Bge4jException e = assertThrows(Bge4jException.class, () -> CheckpointStore.read(dir));
        assertTrue(e.getMessage().contains(dir.resolve("trainer_state.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a bge4j trainer state"), e.getMessage());
    }

    @Test
    void aBadMemoryFieldNamesTheFieldAndFile() throws IOException {
        Path f = dir.resolve("trainer_state.json");
        Files.writeString(f, "{\"schema\": \"" + TrainerState.SCHEMA + "\", \"step\": 1, \"total_steps\": 2,"
                + " \"seed\": 1, \"examples\": 1, \"memory\": {\"next\": \"x\"}}");
        Bge4jException e = assertThrows(Bge4jException.class, () -> CheckpointStore.read(dir));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("memory"), e.getMessage());
    }
}
