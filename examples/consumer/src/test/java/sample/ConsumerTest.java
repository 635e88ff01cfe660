package sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a team does first with bge4j: embed, fine-tune a little, save next to its own files. */
class ConsumerTest {

    private static final String[][] PAIRS = {
        {"web server", "nginx is a small, fast HTTP server"},
        {"text editor", "vim is a highly configurable text editor"},
        {"package manager", "apt installs and removes Debian packages"},
        {"version control", "git tracks changes in source code"},
    };

    @TempDir
    Path tmp;

    @Test
    void embedFineTuneTwoStepsAndSaveNextToUnrelatedFiles() throws IOException {
        List<TrainingExample> examples = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            String negative = PAIRS[(i + 1) % PAIRS.length][1];
            examples.add(TrainingExample.of(PAIRS[i][0], List.of(PAIRS[i][1]), List.of(negative)));
            texts.add(PAIRS[i][0]);
            texts.add(PAIRS[i][1]);
        }
        Path project = tmp.resolve("project");
        Files.createDirectories(project.resolve("datasets"));
        Files.writeString(project.resolve("datasets/train.jsonl"), "{\"query\":\"q\",\"pos\":[\"p\"]}\n");
        Files.createDirectories(project.resolve("other-model"));
        Files.write(project.resolve("other-model/weights.bin"), new byte[] {1, 2, 3});

        try (BgeModel model = TinyModels.bert(texts, 11)) {
            float[][] before;
            try (Embedder emb = model.embedder().build()) {
                before = emb.encodeQueries(List.of("web server"));
            }
            assertEquals(model.dimension(), before[0].length);
            FinetuneResult result = Finetuner.builder().model(model).trainingSet(TrainingSet.of("sample", examples))
                    .batchSize(2).groupSize(2).maxSteps(2).seed(1).build().fit();
            assertEquals(2, result.stepsTaken());
            result.bestModel().save(project);
            try (BgeModel back = BgeModel.load(project); Embedder emb = back.embedder().build()) {
                float[][] after = emb.encodeQueries(List.of("web server"));
                try (Embedder tuned = result.bestModel().embedder().build()) {
                    assertArrayEquals(tuned.encodeQueries(List.of("web server"))[0], after[0], 1e-6f);
                }
            }
        }
        assertEquals("{\"query\":\"q\",\"pos\":[\"p\"]}\n", Files.readString(project.resolve("datasets/train.jsonl")));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(project.resolve("other-model/weights.bin")));
        assertTrue(Files.isRegularFile(project.resolve("model.safetensors")));
    }
}
