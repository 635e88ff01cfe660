package io.bge4j.train.merge;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The outcome of {@link ModelMerger#mergeTo(Path)}.
 *
 * <p>Usage: {@code try (BgeModel m = BgeModel.load(result.directory())) { ... }}
 *
 * @param directory the merged model directory (loads with {@code BgeModel.load}, transformers, sentence-transformers)
 * @param recipe the models and weights
 * @param mergedTensors floating-point tensors computed as a weighted sum
 * @param copiedTensors integer/boolean tensors copied from the first model
 */
public record MergeResult(Path directory, MergeRecipe recipe, int mergedTensors, int copiedTensors) {

    /** Checks for nulls. */
    public MergeResult {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(recipe, "recipe");
    }
}
