package io.bge4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.rerank.CrossEncoder;
import io.bge4j.core.rerank.PairLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading a cross-encoder for the CLI: a sequence-classification directory, or an embedder given a new head. */
final class CrossEncoders {

    private CrossEncoders() {}

    /**
     * @param dir a directory
     * @return whether its config.json names a {@code *ForSequenceClassification} architecture
     */
    static boolean isCrossEncoder(Path dir) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        try {
            JsonNode arch = new ObjectMapper().readTree(Files.readString(cfg)).path("architectures");
            for (JsonNode a : arch) {
                if (a.asText().endsWith("ForSequenceClassification")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new ModelFormatException(cfg + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a trained cross-encoder directory.
     *
     * @param dir the directory
     * @param limits pair budgets for scoring
     * @param batchSize pairs per forward pass
     * @return the cross-encoder
     */
    static CrossEncoder load(Path dir, PairLimits limits, int batchSize) {
        CliSupport.requireDirectory(dir, "cross-encoder");
        if (!isCrossEncoder(dir)) {
            throw new IllegalArgumentException(dir + " is not a cross-encoder (its config.json names no"
                    + " *ForSequenceClassification architecture); train one with 'bge4j rerank-finetune'");
        }
        return CrossEncoder.loader().limits(limits).batchSize(batchSize).load(dir);
    }

    /**
     * @param nameOrPath a cross-encoder directory, or an embedder preset/directory (gets a new head)
     * @param limits pair budgets for scoring
     * @param seed the new head's seed
     * @return the cross-encoder
     */
    static CrossEncoder loadOrCreate(String nameOrPath, PairLimits limits, long seed) {
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p) && isCrossEncoder(p)) {
            return CrossEncoder.loader().limits(limits).load(p);
        }
        try (BgeModel emb = BgeModel.load(nameOrPath)) {
            return CrossEncoder.loader().limits(limits).fromEmbedder(emb, seed);
        }
    }
}
