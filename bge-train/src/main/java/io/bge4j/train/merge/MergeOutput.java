package io.bge4j.train.merge;

import io.bge4j.core.Bge4jException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Saving a merge: the output must be new or an empty directory (never overwritten otherwise); the
 * merged directory is staged next to it (weights, the first model's layout files, the recipe and model
 * card) and moved into place in one step.
 */
final class MergeOutput {

    /** Files of a model directory that describe the model besides its weights (copied from the first model). */
    private static final List<String> LAYOUT_FILES = List.of("config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model", "modules.json",
            "config_sentence_transformers.json", "sentence_bert_config.json", "1_Pooling/config.json");

    private MergeOutput() {}

    /**
     * @return the absolute target, its parent created
     * @throws Bge4jException when it exists and is not an empty directory, or cannot be prepared
     */
    static Path prepare(Path output) {
        Path target = output.toAbsolutePath().normalize();
        try {
            if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
                throw new Bge4jException("merge output " + target + " already exists and is not an empty directory;"
                        + " choose a new directory (bge4j never overwrites what it did not create)");
            }
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new Bge4jException("cannot prepare " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    /** Adds the first model's layout files, {@code merge_recipe.json} and {@code README.md} to {@code staged}. */
    static void describe(Path staged, Path firstModel, MergeRecipe recipe) throws IOException {
        copyLayout(firstModel, staged);
        Files.writeString(staged.resolve("merge_recipe.json"), recipe.toJson(), StandardCharsets.UTF_8);
        Files.writeString(staged.resolve("README.md"), recipe.modelCard(), StandardCharsets.UTF_8);
    }

    /** Moves {@code staged} to {@code target}, replacing the empty directory checked by {@link #prepare}. */
    static void publish(Path staged, Path target) throws IOException {
        if (Files.isDirectory(target)) {
            Files.delete(target); // empty, checked by prepare
        }
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void copyLayout(Path from, Path to) throws IOException {
        for (String f : LAYOUT_FILES) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                Path dst = to.resolve(f);
                Files.createDirectories(dst.getParent());
                Files.copy(src, dst);
            }
        }
        if (Files.isDirectory(from.resolve("2_Normalize"))) {
            Files.createDirectories(to.resolve("2_Normalize"));
        }
    }
}
