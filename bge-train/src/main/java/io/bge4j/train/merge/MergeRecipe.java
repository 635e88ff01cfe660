package io.bge4j.train.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a merged model was made of: the models, their weights, and how the weights were chosen. Written
 * next to the merged weights as {@code merge_recipe.json} and as the model card ({@code README.md}).
 *
 * <p>Usage: {@code MergeRecipe r = result.recipe(); r.ingredients().forEach(i -> log.info("{} x {}", i.weight(), i.source()));}
 *
 * @param ingredients the models and weights, in merge order
 * @param weightsFrom how the weights were chosen (for example "given", "softmax(-loss/T), T=5 on 8 examples",
 *     "searched ratio: best dev nDCG@10 with general drop &lt;= 0.01")
 */
public record MergeRecipe(List<MergeIngredient> ingredients, String weightsFrom) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the list. */
    public MergeRecipe {
        ingredients = List.copyOf(ingredients);
        Objects.requireNonNull(weightsFrom, "weightsFrom");
    }

    /** @return the recipe as pretty JSON ({@code method}, {@code weights_from}, {@code models: [{source, weight}]}) */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("method", "linear");
        root.put("formula", "theta = sum_i w_i * theta_i over floating-point tensors; other tensors copied from the first model");
        root.put("weights_from", weightsFrom);
        ArrayNode models = root.putArray("models");
        for (MergeIngredient i : ingredients) {
            models.addObject().put("source", i.source()).put("weight", i.weight());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a model card in Markdown (sentence-transformers front matter, then the recipe) */
    public String modelCard() {
        StringBuilder sb = new StringBuilder();
        sb.append("---\nlibrary_name: sentence-transformers\npipeline_tag: sentence-similarity\ntags:\n")
                .append("- sentence-transformers\n- feature-extraction\n- merge\n- bge4j\n---\n\n");
        sb.append("# Merged embedding model\n\n");
        sb.append("Made by bge4j's `ModelMerger` (LM-Cocktail-style linear merge): every floating-point weight is")
                .append(" `θ = Σ wᵢ θᵢ` over the models below; integer tensors are copied from the first model.\n\n");
        sb.append("| model | weight |\n|---|---:|\n");
        for (MergeIngredient i : ingredients) {
            sb.append("| `").append(i.source()).append("` | ").append(String.format(Locale.ROOT, "%.4f", i.weight()))
                    .append(" |\n");
        }
        sb.append("\nWeights chosen by: ").append(weightsFrom).append("\n\n");
        sb.append("The same recipe, machine-readable, is in `merge_recipe.json`.\n");
        return sb.toString();
    }
}
