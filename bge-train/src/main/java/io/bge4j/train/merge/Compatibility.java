package io.bge4j.train.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.ModelFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Checks that models can be merged: same architecture (config) and same vocabulary (tokenizer). */
final class Compatibility {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Compatibility() {}

    /**
     * @throws ModelFormatException naming every architecture field that differs
     */
    static void sameArchitecture(String firstName, EncoderConfig first, String otherName, EncoderConfig other) {
        List<String> diffs = new ArrayList<>();
        diff(diffs, "model_type", first.modelType(), other.modelType());
        diff(diffs, "vocab_size", first.vocabSize(), other.vocabSize());
        diff(diffs, "hidden_size", first.hiddenSize(), other.hiddenSize());
        diff(diffs, "num_hidden_layers", first.numHiddenLayers(), other.numHiddenLayers());
        diff(diffs, "num_attention_heads", first.numAttentionHeads(), other.numAttentionHeads());
        diff(diffs, "intermediate_size", first.intermediateSize(), other.intermediateSize());
        diff(diffs, "max_position_embeddings", first.maxPositionEmbeddings(), other.maxPositionEmbeddings());
        diff(diffs, "type_vocab_size", first.typeVocabSize(), other.typeVocabSize());
        diff(diffs, "layer_norm_eps", first.layerNormEps(), other.layerNormEps());
        diff(diffs, "pad_token_id", first.padTokenId(), other.padTokenId());
        diff(diffs, "hidden_act", first.hiddenAct(), other.hiddenAct());
        if (!diffs.isEmpty()) {
            throw new ModelFormatException("cannot merge " + otherName + " into " + firstName
                    + ": the architectures differ (" + String.join(", ", diffs) + "); only models of the same"
                    + " architecture, e.g. a base model and its own fine-tunes, can be merged");
        }
    }

    private static void diff(List<String> out, String field, Object a, Object b) {
        if (!a.equals(b)) {
            out.add(field + " " + a + " vs " + b);
        }
    }

    /**
     * @param firstTokenizer the first model's {@code tokenizer.json}
     * @param otherTokenizer another model's
     * @throws ModelFormatException naming the first token that differs
     */
    static void sameVocabulary(String firstName, byte[] firstTokenizer, String otherName, byte[] otherTokenizer) {
        JsonNode a = vocab(firstName, firstTokenizer);
        JsonNode b = vocab(otherName, otherTokenizer);
        if (a.equals(b)) {
            return;
        }
        String what;
        if (a.size() != b.size()) {
            what = a.size() + " vs " + b.size() + " tokens";
        } else if (a.isObject()) {
            what = firstDifference(a, b);
        } else {
            int i = 0;
            while (i < a.size() && a.get(i).equals(b.get(i))) {
                i++;
            }
            what = "entry " + i + " is " + a.get(i) + " vs " + b.get(i);
        }
        throw new ModelFormatException("cannot merge " + otherName + " into " + firstName
                + ": the vocabularies differ (" + what + "); merged weights are only meaningful when every token id"
                + " means the same token in every model");
    }

    private static String firstDifference(JsonNode a, JsonNode b) {
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode other = b.get(e.getKey());
            if (other == null) {
                return "token '" + e.getKey() + "' (id " + e.getValue() + ") is missing from the second";
            }
            if (!other.equals(e.getValue())) {
                return "token '" + e.getKey() + "' has id " + e.getValue() + " vs " + other;
            }
        }
        return "the token sets differ";
    }

    private static JsonNode vocab(String name, byte[] tokenizerJson) {
        try {
            JsonNode v = JSON.readTree(tokenizerJson).path("model").path("vocab");
            if (v.isMissingNode() || v.isNull()) {
                throw new ModelFormatException(name + ": tokenizer.json has no model.vocab to compare");
            }
            return v;
        } catch (IOException e) {
            throw new ModelFormatException(name + ": tokenizer.json is not valid JSON: " + e.getMessage(), e);
        }
    }
}
