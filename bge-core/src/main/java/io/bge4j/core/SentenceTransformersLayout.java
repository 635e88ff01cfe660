package io.bge4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads and writes the sentence-transformers files that sit next to a HF model. */
final class SentenceTransformersLayout {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The key of {@code config_sentence_transformers.json} that lists the Matryoshka dimensions (bge4j's own). */
    static final String MATRYOSHKA_KEY = "bge4j_matryoshka_dimensions";

    private SentenceTransformersLayout() {}

    /** Applies pooling, normalisation, query prompt and max length from sentence-transformers files, if any. */
    static void apply(Path dir, BgeModel.Builder b) {
        Pooling pooling = null;
        Boolean normalize = null;
        String instruction = null;
        Integer maxLength = null;
        List<Integer> matryoshka = null;
        Path modules = dir.resolve("modules.json");
        if (Files.isRegularFile(modules)) {
            normalize = false;
            for (JsonNode m : BgeModel.readJson(modules)) {
                String type = m.path("type").asText("");
                if (type.endsWith(".Pooling")) {
                    Path cfg = dir.resolve(m.path("path").asText("1_Pooling")).resolve("config.json");
                    if (Files.isRegularFile(cfg)) {
                        pooling = poolingOf(BgeModel.readJson(cfg), cfg);
                    }
                } else if (type.endsWith(".Normalize")) {
                    normalize = true;
                }
            }
        }
        Path st = dir.resolve("config_sentence_transformers.json");
        if (Files.isRegularFile(st)) {
            JsonNode q = BgeModel.readJson(st).path("prompts").path("query");
            if (q.isTextual()) {
                instruction = q.asText();
            }
            JsonNode dims = BgeModel.readJson(st).path(MATRYOSHKA_KEY);
            if (!dims.isMissingNode() && !dims.isNull()) {
                matryoshka = dimensionsOf(dims, st);
            }
        }
        Path sb = dir.resolve("sentence_bert_config.json");
        if (Files.isRegularFile(sb)) {
            JsonNode len = BgeModel.readJson(sb).path("max_seq_length");
            if (len.isIntegralNumber() && len.asInt() >= 2) {
                maxLength = len.asInt();
            }
        }
        BgeModel.setLayout(b, pooling, normalize, instruction, maxLength, matryoshka);
    }

    private static List<Integer> dimensionsOf(JsonNode dims, Path file) {
        List<Integer> out = new ArrayList<>();
        if (dims.isArray()) {
            for (JsonNode d : dims) {
                if (!d.isIntegralNumber()) {
                    out = null;
                    break;
                }
                out.add(d.asInt());
            }
        }
        if (out == null || !dims.isArray()) {
            throw new ModelFormatException(file + ": field '" + MATRYOSHKA_KEY + "' must be an array of integers"
                    + " (the embedding dimensions the model was trained for), got " + dims);
        }
        return out;
    }

    private static Pooling poolingOf(JsonNode cfg, Path file) {
        if (cfg.path("pooling_mode_cls_token").asBoolean(false)) {
            return Pooling.CLS;
        }
        if (cfg.path("pooling_mode_mean_tokens").asBoolean(false)) {
            return Pooling.MEAN;
        }
        if (cfg.path("pooling_mode_lasttoken").asBoolean(false)) {
            return Pooling.LAST_TOKEN;
        }
        throw new ModelFormatException(file + ": unsupported pooling mode; bge4j supports cls_token, mean_tokens"
                + " and lasttoken");
    }

    /** Writes modules.json, 1_Pooling, 2_Normalize and the sentence-transformers configs. */
    static void write(Path d, BgeModel model) throws IOException {
        ArrayNode modules = JSON.createArrayNode();
        modules.addObject().put("idx", 0).put("name", "0").put("path", "")
                .put("type", "sentence_transformers.models.Transformer");
        modules.addObject().put("idx", 1).put("name", "1").put("path", "1_Pooling")
                .put("type", "sentence_transformers.models.Pooling");
        if (model.normalize()) {
            modules.addObject().put("idx", 2).put("name", "2").put("path", "2_Normalize")
                    .put("type", "sentence_transformers.models.Normalize");
            Files.createDirectories(d.resolve("2_Normalize"));
        }
        Files.writeString(d.resolve("modules.json"), JSON.writeValueAsString(modules));

        Files.createDirectories(d.resolve("1_Pooling"));
        ObjectNode pool = JSON.createObjectNode();
        pool.put("word_embedding_dimension", model.dimension());
        pool.put("pooling_mode_cls_token", model.pooling() == Pooling.CLS);
        pool.put("pooling_mode_mean_tokens", model.pooling() == Pooling.MEAN);
        pool.put("pooling_mode_max_tokens", false);
        pool.put("pooling_mode_mean_sqrt_len_tokens", false);
        pool.put("pooling_mode_weightedmean_tokens", false);
        pool.put("pooling_mode_lasttoken", model.pooling() == Pooling.LAST_TOKEN);
        pool.put("include_prompt", true);
        Files.writeString(d.resolve("1_Pooling").resolve("config.json"), JSON.writeValueAsString(pool));

        ObjectNode st = JSON.createObjectNode();
        st.putObject("__version__").put("bge4j", "0.1.0");
        ObjectNode prompts = st.putObject("prompts");
        prompts.put("query", model.queryInstruction());
        prompts.put("document", "");
        st.putNull("default_prompt_name");
        st.put("similarity_fn_name", "cosine");
        if (!model.matryoshkaDimensions().isEmpty()) {
            ArrayNode dims = st.putArray(MATRYOSHKA_KEY);
            model.matryoshkaDimensions().forEach(dims::add);
        }
        Files.writeString(d.resolve("config_sentence_transformers.json"), JSON.writeValueAsString(st));

        ObjectNode sb = JSON.createObjectNode();
        sb.put("max_seq_length", model.maxLength());
        sb.put("do_lower_case", false);
        Files.writeString(d.resolve("sentence_bert_config.json"), JSON.writeValueAsString(sb));
    }

    /** Writes tokenizer_config.json and special_tokens_map.json: the originals when known, else generated. */
    static void writeTokenizerConfigs(Path d, BgeModel model, Map<String, byte[]> originals) throws IOException {
        boolean xlmr = model.config().isXlmRoberta();
        String cls = xlmr ? "<s>" : "[CLS]";
        String sep = xlmr ? "</s>" : "[SEP]";
        String pad = xlmr ? "<pad>" : "[PAD]";
        String unk = xlmr ? "<unk>" : "[UNK]";
        String mask = xlmr ? "<mask>" : "[MASK]";
        if (originals.containsKey("tokenizer_config.json")) {
            Files.write(d.resolve("tokenizer_config.json"), originals.get("tokenizer_config.json"));
        } else {
            ObjectNode tc = JSON.createObjectNode();
            tc.put("tokenizer_class", xlmr ? "XLMRobertaTokenizer" : "BertTokenizer");
            tc.put("model_max_length", model.maxLength());
            if (!xlmr) {
                tc.put("do_lower_case", model.tokenizer().lowercase());
                tc.put("tokenize_chinese_chars", true);
                tc.putNull("strip_accents");
            } else {
                tc.put("bos_token", "<s>");
                tc.put("eos_token", "</s>");
            }
            tc.put("cls_token", cls).put("sep_token", sep).put("pad_token", pad).put("unk_token", unk)
                    .put("mask_token", mask).put("clean_up_tokenization_spaces", true);
            Files.writeString(d.resolve("tokenizer_config.json"), JSON.writeValueAsString(tc));
        }
        if (originals.containsKey("special_tokens_map.json")) {
            Files.write(d.resolve("special_tokens_map.json"), originals.get("special_tokens_map.json"));
        } else {
            ObjectNode sm = JSON.createObjectNode();
            sm.put("cls_token", cls).put("sep_token", sep).put("pad_token", pad).put("unk_token", unk)
                    .put("mask_token", mask);
            if (xlmr) {
                sm.put("bos_token", "<s>").put("eos_token", "</s>");
            }
            Files.writeString(d.resolve("special_tokens_map.json"), JSON.writeValueAsString(sm));
        }
    }
}
