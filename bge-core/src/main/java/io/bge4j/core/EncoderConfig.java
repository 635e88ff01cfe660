package io.bge4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The architecture of a BERT or XLM-RoBERTa encoder, as found in a Hugging Face {@code config.json}.
 *
 * <p>Usage: {@code EncoderConfig c = EncoderConfig.read(dir.resolve("config.json"));}
 *
 * @param modelType {@code bert} or {@code xlm-roberta}
 * @param vocabSize rows of the word-embedding matrix
 * @param hiddenSize model width
 * @param numHiddenLayers transformer layers
 * @param numAttentionHeads heads per layer; divides {@code hiddenSize}
 * @param intermediateSize FFN width
 * @param maxPositionEmbeddings rows of the position-embedding matrix
 * @param typeVocabSize rows of the token-type-embedding matrix
 * @param layerNormEps LayerNorm epsilon (1e-12 BERT, 1e-5 XLM-R)
 * @param padTokenId padding id (XLM-R position ids start after it)
 * @param hiddenAct {@code gelu} (exact, erf-based)
 * @param hiddenDropoutProb dropout on hidden states during training
 * @param attentionDropoutProb dropout on attention probabilities during training
 */
public record EncoderConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionDropoutProb) {

    /** Model types this encoder implements. */
    public static final Set<String> SUPPORTED_MODEL_TYPES = Set.of("bert", "xlm-roberta");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates every field. */
    public EncoderConfig {
        if (modelType == null || !SUPPORTED_MODEL_TYPES.contains(modelType)) {
            throw new ModelFormatException("unsupported model_type '" + modelType
                    + "': bge4j supports 'bert' (bge-*-en/zh-v1.5) and 'xlm-roberta' (bge-m3)");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelFormatException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
                    + numAttentionHeads);
        }
        if (!(layerNormEps > 0)) {
            throw new ModelFormatException("layer_norm_eps must be > 0, got " + layerNormEps);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new ModelFormatException("pad_token_id " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        if (!"gelu".equals(hiddenAct)) {
            throw new ModelFormatException("unsupported hidden_act '" + hiddenAct + "': only 'gelu' (exact) is implemented");
        }
        if (hiddenDropoutProb < 0 || hiddenDropoutProb >= 1 || attentionDropoutProb < 0 || attentionDropoutProb >= 1) {
            throw new ModelFormatException("dropout probabilities must be in [0, 1)");
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new ModelFormatException(field + " must be > 0, got " + v);
        }
    }

    /** @return the width of one attention head */
    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** @return true for XLM-RoBERTa (bge-m3), whose position ids start at {@code padTokenId + 1} */
    public boolean isXlmRoberta() {
        return "xlm-roberta".equals(modelType);
    }

    /**
     * The number of positions usable by tokens: BERT uses all; XLM-R reserves {@code padTokenId + 1}.
     *
     * @return the longest input, in tokens, this encoder accepts
     */
    public int maxSequenceLength() {
        return isXlmRoberta() ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
    }

    /**
     * Reads a Hugging Face {@code config.json}.
     *
     * @param file the file
     * @return the config
     * @throws ModelFormatException when missing, not JSON, a field is missing, or the model type is unsupported
     */
    public static EncoderConfig read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("config.json not found: " + file
                    + " (a Hugging Face model directory must contain config.json)");
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
        return fromJson(root, file.toString());
    }

    /**
     * Parses a {@code config.json} tree.
     *
     * @param root the JSON object
     * @param source a name for messages
     * @return the config
     */
    public static EncoderConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(source + ": expected a JSON object");
        }
        String type = text(root, "model_type", source);
        if (!SUPPORTED_MODEL_TYPES.contains(type)) {
            throw new ModelFormatException(source + ": unsupported model_type '" + type
                    + "'; supported: bert (bge-*-en/zh-v1.5) and xlm-roberta (bge-m3)");
        }
        boolean xlmr = "xlm-roberta".equals(type);
        try {
            return new EncoderConfig(type,
                    integer(root, "vocab_size", source, -1),
                    integer(root, "hidden_size", source, -1),
                    integer(root, "num_hidden_layers", source, -1),
                    integer(root, "num_attention_heads", source, -1),
                    integer(root, "intermediate_size", source, -1),
                    integer(root, "max_position_embeddings", source, -1),
                    integer(root, "type_vocab_size", source, xlmr ? 1 : 2),
                    root.has("layer_norm_eps") ? root.get("layer_norm_eps").asDouble() : (xlmr ? 1e-5 : 1e-12),
                    integer(root, "pad_token_id", source, xlmr ? 1 : 0),
                    root.has("hidden_act") ? root.get("hidden_act").asText() : "gelu",
                    root.has("hidden_dropout_prob") ? root.get("hidden_dropout_prob").asDouble() : 0.1,
                    root.has("attention_probs_dropout_prob") ? root.get("attention_probs_dropout_prob").asDouble() : 0.1);
        } catch (ModelFormatException e) {
            if (e.getMessage().startsWith(source)) {
                throw e;
            }
            throw new ModelFormatException(source + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new ModelFormatException(source + ": missing or non-string field '" + field + "'");
        }
        return n.asText();
    }

    private static int integer(JsonNode root, String field, String source, int dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (dflt >= 0) {
                return dflt;
            }
            throw new ModelFormatException(source + ": missing required field '" + field + "'");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new ModelFormatException(source + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    /** @return this config as a Hugging Face {@code config.json} object that transformers loads */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(isXlmRoberta() ? "XLMRobertaModel" : "BertModel");
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("intermediate_size", intermediateSize);
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("type_vocab_size", typeVocabSize);
        o.put("layer_norm_eps", layerNormEps);
        o.put("pad_token_id", padTokenId);
        o.put("hidden_act", hiddenAct);
        o.put("hidden_dropout_prob", hiddenDropoutProb);
        o.put("attention_probs_dropout_prob", attentionDropoutProb);
        o.put("position_embedding_type", "absolute");
        o.put("initializer_range", 0.02);
        o.put("torch_dtype", "float32");
        return o;
    }

    /** @return a copy with other dropout probabilities (e.g. 0 to make training deterministic) */
    public EncoderConfig withDropout(double hidden, double attention) {
        return new EncoderConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads,
                intermediateSize, maxPositionEmbeddings, typeVocabSize, layerNormEps, padTokenId, hiddenAct,
                hidden, attention);
    }

    /**
     * Recovers a BERT config from HF-named weight shapes, for model files that carry no config.json
     * (e.g. an ONNX export). The number of attention heads cannot be read off shapes and is given.
     *
     * @param weights HF name → shape
     * @param attentionHeads heads per layer
     * @param source name for messages
     * @return the config (dropout 0.1, LayerNorm eps 1e-12, pad id 0)
     */
    public static EncoderConfig inferBert(java.util.Map<String, long[]> weights, int attentionHeads, String source) {
        long[] word = weights.get("embeddings.word_embeddings.weight");
        long[] pos = weights.get("embeddings.position_embeddings.weight");
        long[] type = weights.get("embeddings.token_type_embeddings.weight");
        long[] inter = weights.get("encoder.layer.0.intermediate.dense.bias");
        if (word == null || pos == null || type == null || inter == null) {
            throw new ModelFormatException(source + ": cannot infer the architecture: embeddings or layer 0 weights missing");
        }
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".output.dense.bias")) {
            layers++;
        }
        return new EncoderConfig("bert", (int) word[0], (int) word[1], layers, attentionHeads, (int) inter[0],
                (int) pos[0], (int) type[0], 1e-12, 0, "gelu", 0.1, 0.1);
    }
}
