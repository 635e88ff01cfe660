package io.bge4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamWState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk format of a resumable checkpoint: a folder with the model (HF layout),
 * {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json} (step, evaluation state,
 * the run's options and data hash), {@code best.safetensors} (best weights when they are not the
 * current ones), {@code examples.jsonl} (the examples being trained on, when negatives were refreshed)
 * and {@code memory.safetensors} + {@code memory_texts.json} (the cross-batch memory). Every folder is
 * assembled under a temporary name and moved into place.
 */
final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE_FILE = "trainer_state.json";
    static final String OPTIMIZER_FILE = "optimizer.safetensors";

    /**
     * Everything besides the model weights that a checkpoint holds.
     *
     * @param step completed steps
     * @param options the run's options ({@link RunFingerprint#options})
     * @param dataHash SHA-256 of the training data
     * @param eval evaluation / early-stopping state
     * @param optimizer AdamW moments
     * @param bestWeights best weights when they differ from the current ones, or {@code null}
     * @param examples the current examples when they were refreshed, or {@code null}
     * @param memory the cross-batch memory, or {@code null}
     */
    record Contents(long step, Map<String, String> options, String dataHash, EvaluationPolicy.State eval,
            AdamWState optimizer, Map<String, TensorData> bestWeights, List<TrainingExample> examples,
            CrossBatchMemory.Snapshot memory) {}

    private CheckpointStore() {}

    /** Writes {@code dir} (replacing it) with the model and {@code c}. */
    static void write(Path dir, BgeModel model, Contents c) {
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = dir.getParent().resolve("." + dir.getFileName() + ".tmp");
            AtomicFiles.deleteTree(tmp);
            model.save(tmp);
            c.optimizer().save(tmp.resolve(OPTIMIZER_FILE));
            ObjectNode st = JSON.createObjectNode();
            st.put("step", c.step()).put("data_sha256", c.dataHash()).put("best_value", c.eval().bestValue())
                    .put("best_step", c.eval().bestStep()).put("evals_without_improvement",
                            c.eval().evalsWithoutImprovement())
                    .put("patience_reference", c.eval().patienceReference());
            c.options().forEach(st.putObject("options")::put);
            if (c.memory() != null) {
                Safetensors.write(tmp.resolve("memory.safetensors"), List.of(c.memory().rows()), Map.of());
                ObjectNode mem = st.putObject("memory");
                mem.put("next", c.memory().next());
                c.memory().texts().forEach(mem.putArray("texts")::add);
            }
            Files.writeString(tmp.resolve(STATE_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(st));
            if (c.bestWeights() != null) {
                Safetensors.write(tmp.resolve("best.safetensors"), c.bestWeights().values(), Map.of());
            }
            if (c.examples() != null) {
                ExamplesFile.write(tmp.resolve("examples.jsonl"), c.examples());
            }
            AtomicFiles.deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Bge4jException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Keeps the newest {@code keep} {@code step-*} folders under {@code parent}. */
    static void prune(Path parent, int keep) {
        try (Stream<Path> s = Files.list(parent)) {
            List<Path> all = s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            for (int i = 0; i < all.size() - keep; i++) {
                AtomicFiles.deleteTree(all.get(i));
            }
        } catch (IOException e) {
            LOG.warn("could not prune old checkpoints: {}", e.getMessage());
        }
    }

    /** A checkpoint as read back: its contents and weights. */
    record Loaded(Contents contents, Map<String, TensorData> weights) {}

    static Loaded read(Path dir) {
        Path state = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(state)) {
            throw new Bge4jException("cannot resume: " + state + " not found; resumeFrom needs a checkpoint folder"
                    + " (outputDir/checkpoints/step-NNNNNNNN) written by checkpointEvery");
        }
        try {
            JsonNode st = JSON.readTree(state.toFile());
            Map<String, String> options = new LinkedHashMap<>();
            st.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            EvaluationPolicy.State eval = new EvaluationPolicy.State(
                    st.path("best_value").asDouble(Double.NEGATIVE_INFINITY), st.path("best_step").asLong(-1),
                    st.path("patience_reference").asDouble(Double.NEGATIVE_INFINITY),
                    st.path("evals_without_improvement").asInt());
            CrossBatchMemory.Snapshot memory = null;
            if (st.has("memory")) {
                List<String> texts = new ArrayList<>();
                st.path("memory").path("texts").forEach(t -> texts.add(t.asText()));
                TensorData rows = Safetensors.readAll(dir.resolve("memory.safetensors")).get("memory");
                memory = new CrossBatchMemory.Snapshot(texts, rows, st.path("memory").path("next").asInt());
            }
            Path best = dir.resolve("best.safetensors");
            Path examples = dir.resolve("examples.jsonl");
            Contents c = new Contents(st.path("step").asLong(), options, st.path("data_sha256").asText(""), eval,
                    AdamWState.load(dir.resolve(OPTIMIZER_FILE)),
                    Files.isRegularFile(best) ? Safetensors.readAll(best) : null,
                    Files.isRegularFile(examples) ? ExamplesFile.read(examples) : null, memory);
            return new Loaded(c, Safetensors.readAll(dir.resolve("model.safetensors")));
        } catch (IOException e) {
            throw new Bge4jException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }
}
