package io.bge4j.train;

import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.DataFormatException;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import io.bge4j.train.memory.CrossBatchMemory;
import io.bge4j.train.optim.AdamWState;
import io.bge4j.train.report.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk format of a resumable checkpoint: a folder with the model (HF layout),
 * {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json} (a {@link TrainerState}:
 * step, evaluation state, the run's options and data hash, the memory's texts), {@code best.safetensors} (best weights when they are not the
 * current ones), {@code examples.jsonl} (the examples being trained on, when negatives were refreshed)
 * and {@code memory.safetensors} + {@code memory_texts.json} (the cross-batch memory). Every folder is
 * assembled under a temporary name and moved into place.
 */
final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
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
     * @param progress what {@code trainer_state.json} records besides the above (total steps, epoch,
     *     seed, example count, metric); only its informational fields are used
     */
    record Contents(long step, Map<String, String> options, String dataHash, EvaluationPolicy.State eval,
            AdamWState optimizer, Map<String, TensorData> bestWeights, List<TrainingExample> examples,
            CrossBatchMemory.Snapshot memory, Progress progress) {}

    /**
     * The informational part of the state file.
     *
     * @param totalSteps steps planned
     * @param epoch the current 0-based epoch
     * @param seed the run's seed
     * @param examples training examples
     * @param bestMetric the primary metric, or null without an evaluator
     */
    record Progress(long totalSteps, int epoch, long seed, long examples, String bestMetric) {}

    /** @return the {@link TrainerState} that {@code trainer_state.json} of {@code c} holds */
    static TrainerState state(Contents c) {
        EvaluationPolicy.State e = c.eval();
        Progress p = c.progress();
        TrainerState.Memory mem = c.memory() == null ? null
                : new TrainerState.Memory(c.memory().texts(), c.memory().next());
        return new TrainerState(TrainerState.SCHEMA, c.step(), p.totalSteps(), p.epoch(), p.seed(), p.examples(),
                p.bestMetric(), e.bestValue(), e.bestStep(), e.evalsWithoutImprovement(), e.patienceReference(),
                null, null, Instant.now().toString(), c.dataHash(), c.options(), mem);
    }

    private CheckpointStore() {}

    /** Writes {@code dir} (replacing it) with the model and {@code c}. */
    static void write(Path dir, BgeModel model, Contents c) {
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = dir.getParent().resolve("." + dir.getFileName() + ".tmp");
            AtomicFiles.deleteTree(tmp);
            model.save(tmp);
            c.optimizer().save(tmp.resolve(OPTIMIZER_FILE));
            if (c.memory() != null) {
                Safetensors.write(tmp.resolve("memory.safetensors"), List.of(c.memory().rows()), Map.of());
            }
            Files.writeString(tmp.resolve(STATE_FILE), state(c).toJson());
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
        TrainerState st;
        try {
            st = TrainerState.read(state);
        } catch (DataFormatException e) {
            throw new Bge4jException("cannot resume from " + dir + ": its " + STATE_FILE + " is not a bge4j trainer"
                    + " state: " + e.getMessage(), e);
        }
        try {
            EvaluationPolicy.State eval = new EvaluationPolicy.State(
                    st.bestValue() == null ? Double.NEGATIVE_INFINITY : st.bestValue(),
                    st.bestStep() == null ? -1 : st.bestStep(),
                    st.patienceReference() == null ? Double.NEGATIVE_INFINITY : st.patienceReference(),
                    st.evalsWithoutImprovement());
            CrossBatchMemory.Snapshot memory = null;
            if (st.memory() != null) {
                Path rowsFile = dir.resolve("memory.safetensors");
                if (!Files.isRegularFile(rowsFile)) {
                    throw new Bge4jException("cannot resume from " + dir + ": " + state + " records a cross-batch"
                            + " memory but " + rowsFile + " is missing");
                }
                TensorData rows = Safetensors.readAll(rowsFile).get("memory");
                memory = new CrossBatchMemory.Snapshot(st.memory().texts(), rows, st.memory().next());
            }
            Path best = dir.resolve("best.safetensors");
            Path examples = dir.resolve("examples.jsonl");
            Contents c = new Contents(st.step(), new LinkedHashMap<>(st.options()),
                    st.dataSha256() == null ? "" : st.dataSha256(), eval,
                    AdamWState.load(dir.resolve(OPTIMIZER_FILE)),
                    Files.isRegularFile(best) ? Safetensors.readAll(best) : null,
                    Files.isRegularFile(examples) ? ExamplesFile.read(examples) : null, memory,
                    new Progress(st.totalSteps(), st.epoch(), st.seed(), st.examples(), st.bestMetric()));
            return new Loaded(c, Safetensors.readAll(dir.resolve("model.safetensors")));
        } catch (IOException e) {
            throw new Bge4jException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }
}
