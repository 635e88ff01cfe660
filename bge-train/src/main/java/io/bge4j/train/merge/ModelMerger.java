package io.bge4j.train.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges models of one architecture and vocabulary into one, as LM-Cocktail does: every floating-point
 * tensor becomes {@code θ = Σ wᵢ θᵢ} (summed in double precision in ingredient order, stored as float32),
 * integer and boolean tensors are copied from the first model. The weights must be non-negative and sum
 * to 1 (within {@value #SUM_TOLERANCE}); a sum above or below 1 is refused rather than rescaled, because
 * it would scale every weight of the network.
 *
 * <p>{@link #mergeTo(Path)} streams: it reads the models' {@code model.safetensors} files tensor by tensor
 * and writes each merged tensor before reading the next, so memory holds about one tensor per model
 * however many models are merged (an embedded preset such as {@code bge-small-en-v1.5} is first saved to a
 * temporary directory, one model at a time). The result is a normal Hugging Face + sentence-transformers
 * directory (the first model's config, tokenizer and sentence-transformers files) with a model card
 * ({@code README.md}) and {@code merge_recipe.json} recording the sources and weights.
 * {@link #merge(List, List)} does the same arithmetic on loaded models, for searching a ratio.
 *
 * <p>Usage:
 * <pre>{@code
 * MergeResult r = ModelMerger.builder()
 *         .add("bge-small-en-v1.5", 0.4).add("runs/demo/model", 0.6)
 *         .build().mergeTo(Path.of("runs/demo/merged"));
 * }</pre>
 */
public final class ModelMerger {

    /** How far the weights may sum from 1. */
    public static final double SUM_TOLERANCE = 1e-6;

    private static final Logger LOG = LoggerFactory.getLogger(ModelMerger.class);

    private final List<MergeIngredient> ingredients;
    private final String weightsFrom;

    private ModelMerger(List<MergeIngredient> ingredients, String weightsFrom) {
        this.ingredients = List.copyOf(ingredients);
        this.weightsFrom = weightsFrom;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the models and weights this merger combines */
    public MergeRecipe recipe() {
        return new MergeRecipe(ingredients, weightsFrom);
    }

    /**
     * Checks a weight vector: at least two weights, each finite and non-negative, summing to 1.
     *
     * @param weights the weights
     * @throws IllegalArgumentException saying which rule is broken and by how much
     */
    public static void checkWeights(List<Double> weights) {
        if (weights.size() < 2) {
            throw new IllegalArgumentException("a merge needs at least two models, got " + weights.size());
        }
        double sum = 0;
        for (int i = 0; i < weights.size(); i++) {
            double w = weights.get(i);
            if (!Double.isFinite(w) || w < 0) {
                throw new IllegalArgumentException("merge weight " + (i + 1) + " must be finite and >= 0, was " + w);
            }
            sum += w;
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("merge weights must sum to 1, they sum to " + sum + " ("
                    + (sum > 1 ? "too high" : "too low") + " by " + Math.abs(sum - 1) + "): " + weights
                    + "; divide each by their sum if you meant their proportions");
        }
    }

    /**
     * Merges loaded models in memory (same arithmetic as {@link #mergeTo(Path)}): the result is a copy of the
     * first model (tokenizer, pooling, instruction) with merged weights. Memory: the inputs plus one model.
     *
     * @param models models of one architecture and vocabulary (not closed)
     * @param weights one weight per model, summing to 1
     * @return a new model (close it)
     * @throws ModelFormatException when architectures or vocabularies differ
     */
    public static BgeModel merge(List<BgeModel> models, List<Double> weights) {
        if (models.size() != weights.size()) {
            throw new IllegalArgumentException(models.size() + " models but " + weights.size() + " weights");
        }
        checkWeights(weights);
        BgeModel first = models.get(0);
        for (int i = 1; i < models.size(); i++) {
            BgeModel m = models.get(i);
            Compatibility.sameArchitecture(first.name(), first.config(), m.name(), m.config());
            Compatibility.sameVocabulary(first.name(), first.tokenizer().tokenizerJson(), m.name(),
                    m.tokenizer().tokenizerJson());
        }
        Map<String, TensorData> merged = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> p : first.parameters().entrySet()) {
            NDArray a = p.getValue();
            double[] acc = new double[Math.toIntExact(a.getShape().size())];
            for (int i = 0; i < models.size(); i++) {
                NDArray x = models.get(i).parameters().get(p.getKey());
                if (x == null || !x.getShape().equals(a.getShape())) {
                    throw new ModelFormatException("cannot merge " + models.get(i).name() + ": weight '" + p.getKey()
                            + "' is " + (x == null ? "missing" : "of shape " + x.getShape()) + ", expected " + a.getShape());
                }
                float[] v = x.getDataType() == DataType.FLOAT32 ? x.toFloatArray()
                        : x.toType(DataType.FLOAT32, true).toFloatArray();
                double w = weights.get(i);
                for (int k = 0; k < v.length; k++) {
                    acc[k] += w * v[k];
                }
            }
            merged.put(p.getKey(), new TensorData(p.getKey(), a.getShape().getShape(), toFloats(acc)));
        }
        BgeModel out = first.copy();
        try {
            out.loadTensors(merged);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    private static float[] toFloats(double[] acc) {
        float[] f = new float[acc.length];
        for (int k = 0; k < acc.length; k++) {
            f[k] = (float) acc[k];
        }
        return f;
    }

    /**
     * Streams the merge into a new model directory.
     *
     * @param output a directory that does not exist yet or is empty (never overwritten otherwise)
     * @return what was written
     * @throws ModelFormatException when a model cannot be read or the models differ in architecture, vocabulary
     *     or tensors
     */
    public MergeResult mergeTo(Path output) {
        Path target = MergeOutput.prepare(output);
        Path work = null;
        List<TensorFile> open = new ArrayList<>();
        try {
            work = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".merge");
            Path staged = Files.createDirectory(work.resolve("out"));
            List<Path> dirs = MergeSources.resolve(ingredients, work);
            MergeSources.checkModels(ingredients, dirs);
            List<Map<String, MergeSources.Located>> tensors = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                tensors.add(MergeSources.tensorsOf(dirs.get(i), ingredients.get(i).source(), open));
            }
            MergeSources.checkTensors(ingredients, tensors);
            int[] counts = MergedSafetensors.write(staged.resolve("model.safetensors"), ingredients, tensors);
            MergeRecipe recipe = recipe();
            MergeOutput.describe(staged, dirs.get(0), recipe);
            closeAll(open);
            MergeOutput.publish(staged, target);
            LOG.info("merged {} models into {} ({} tensors merged, {} copied)", dirs.size(), target, counts[0],
                    counts[1]);
            return new MergeResult(target, recipe, counts[0], counts[1]);
        } catch (IOException e) {
            throw new Bge4jException("cannot merge into " + target + ": " + e.getMessage(), e);
        } finally {
            closeAll(open);
            if (work != null) {
                try {
                    AtomicFiles.deleteTree(work);
                } catch (IOException ignored) {
                    // best effort: temporary files of this merge only
                }
            }
        }
    }

    private static void closeAll(List<TensorFile> open) {
        open.forEach(TensorFile::close);
        open.clear();
    }

    /**
     * Collects the models and weights of a merge; {@link #build()} validates them and may be called again.
     *
     * <p>Usage: {@code ModelMerger.builder().add("bge-small-en-v1.5", 0.5).add("runs/demo/model", 0.5).build()}
     */
    public static final class Builder {
        private final List<MergeIngredient> ingredients = new ArrayList<>();
        private String weightsFrom = "given";

        private Builder() {}

        /**
         * @param modelNameOrDir a preset name or a model directory
         * @param weight its weight (all weights must sum to 1)
         * @return this builder
         */
        public Builder add(String modelNameOrDir, double weight) {
            ingredients.add(new MergeIngredient(modelNameOrDir, weight));
            return this;
        }

        /**
         * @param ingredient a model and its weight
         * @return this builder
         */
        public Builder add(MergeIngredient ingredient) {
            ingredients.add(ingredient);
            return this;
        }

        /**
         * @param description how the weights were chosen, for the model card (default "given")
         * @return this builder
         */
        public Builder weightsFrom(String description) {
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("weightsFrom must not be blank");
            }
            this.weightsFrom = description;
            return this;
        }

        /**
         * @return the merger
         * @throws IllegalArgumentException with fewer than two models or weights that do not sum to 1
         */
        public ModelMerger build() {
            checkWeights(ingredients.stream().map(MergeIngredient::weight).toList());
            return new ModelMerger(ingredients, weightsFrom);
        }
    }
}
