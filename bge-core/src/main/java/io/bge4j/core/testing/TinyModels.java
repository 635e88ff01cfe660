package io.bge4j.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tiny random BERT / XLM-R models with a word-level tokenizer built from your texts: for unit tests
 * of pipelines (mining, evaluation, training) that must run in milliseconds, in bge4j and in your
 * own project.
 *
 * <p>Usage: {@code try (BgeModel m = TinyModels.bert(List.of("apt installs packages"), 42)) { ... }}
 */
public final class TinyModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModels() {}

    /**
     * A 2-layer, 32-wide BERT with random weights (dropout 0.1) and a lowercase word-level vocabulary
     * made from the words of {@code texts} (other words map to {@code [UNK]}).
     *
     * @param texts texts whose words form the vocabulary
     * @param seed weight seed
     * @return the model (close it)
     */
    public static BgeModel bert(Collection<String> texts, long seed) {
        return bert(texts, seed, 0.1);
    }

    /**
     * As {@link #bert(Collection, long)} with a chosen dropout probability. Random tiny encoders give
     * nearly identical vectors to every text at first, so dropout noise swamps the training signal;
     * use 0 for tests that must learn or compare gradients exactly.
     *
     * @param texts texts whose words form the vocabulary
     * @param seed weight seed
     * @param dropout hidden and attention dropout
     * @return the model (close it)
     */
    public static BgeModel bert(Collection<String> texts, long seed, double dropout) {
        List<String> vocab = vocabulary(texts);
        byte[] tok = tokenizerJson(vocab, false);
        EncoderConfig cfg = new EncoderConfig("bert", vocab.size() + 5, 32, 2, 4, 64, 128, 2, 1e-12, 0, "gelu", dropout,
                dropout);
        return BgeModel.builder().name("tiny-bert").config(cfg).tokenizerJson(tok).maxLength(128).buildRandom(seed);
    }

    /**
     * A 2-layer, 32-wide XLM-RoBERTa (pad id 1, positions from 2) with random weights.
     *
     * @param texts texts whose words form the vocabulary
     * @param seed weight seed
     * @return the model (close it)
     */
    public static BgeModel xlmRoberta(Collection<String> texts, long seed) {
        List<String> vocab = vocabulary(texts);
        byte[] tok = tokenizerJson(vocab, true);
        EncoderConfig cfg = new EncoderConfig("xlm-roberta", vocab.size() + 5, 32, 2, 4, 64, 130, 1, 1e-5, 1, "gelu",
                0.1, 0.1);
        return BgeModel.builder().name("tiny-xlmr").config(cfg).tokenizerJson(tok).buildRandom(seed);
    }

    /**
     * @param texts texts
     * @return their distinct lowercase words (letters/digits runs; each CJK character alone), in first-seen order
     */
    public static List<String> vocabulary(Collection<String> texts) {
        Set<String> words = new LinkedHashSet<>();
        for (String t : texts) {
            StringBuilder w = new StringBuilder();
            t.toLowerCase(Locale.ROOT).codePoints().forEach(cp -> {
                if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                    flush(w, words);
                    words.add(new String(Character.toChars(cp)));
                } else if (Character.isLetterOrDigit(cp)) {
                    w.appendCodePoint(cp);
                } else {
                    flush(w, words);
                    if (!Character.isWhitespace(cp)) {
                        words.add(new String(Character.toChars(cp)));
                    }
                }
            });
            flush(w, words);
        }
        return List.copyOf(words);
    }

    private static void flush(StringBuilder w, Set<String> words) {
        if (w.length() > 0) {
            words.add(w.toString());
            w.setLength(0);
        }
    }

    /**
     * A Hugging Face {@code tokenizer.json} for a word-level tokenizer: BERT normalizer (lowercase),
     * BERT pre-tokenizer, and the {@code [CLS] x [SEP]} (BERT) or {@code <s> x </s>} (XLM-R) template.
     * Special tokens take ids 0-4 (BERT: PAD, UNK, CLS, SEP, MASK; XLM-R: s, pad, /s, unk, mask).
     *
     * @param words the vocabulary (ids from 5)
     * @param xlmr XLM-R special tokens instead of BERT's
     * @return the JSON bytes
     */
    public static byte[] tokenizerJson(List<String> words, boolean xlmr) {
        String[] specials = xlmr ? new String[] {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}
                : new String[] {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
        String cls = xlmr ? "<s>" : "[CLS]";
        String sep = xlmr ? "</s>" : "[SEP]";
        String unk = xlmr ? "<unk>" : "[UNK]";
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = JSON.createObjectNode();
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
            vocab.put(specials[i], i);
        }
        int id = specials.length;
        for (String w : words) {
            if (!vocab.has(w)) {
                vocab.put(w, id++);
            }
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer").put("clean_text", true).put("handle_chinese_chars", true)
                .putNull("strip_accents");
        norm.put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", cls).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", sep).put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", cls).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", sep).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        pair.addObject().putObject("SpecialToken").put("id", sep).put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens");
        for (String s : new String[] {cls, sep}) {
            ObjectNode e = st.putObject(s);
            e.put("id", s);
            e.putArray("ids").add(vocab.get(s).asInt());
            e.putArray("tokens").add(s);
        }
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.set("vocab", vocab);
        model.put("unk_token", unk);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }
}
