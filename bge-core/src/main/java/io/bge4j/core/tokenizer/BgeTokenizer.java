package io.bge4j.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.ModelFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face fast tokenizer (DJL's Rust binding) loaded from {@code tokenizer.json} bytes,
 * producing id sequences with special tokens and truncating them to a token budget the way HF does
 * for a single sequence (keep the first {@code max - 1} ids and the closing special token).
 *
 * <p>Usage: {@code long[][] ids = tokenizer.encode(List.of("hello"), 512);}
 */
public final class BgeTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] tokenizerJson;
    private final boolean lowercase;
    private final int maxLength;

    /**
     * @param tokenizerJson the bytes of {@code tokenizer.json}
     * @param maxLength the hard limit on sequence length (the model's positions)
     * @param source a name for error messages
     */
    public BgeTokenizer(byte[] tokenizerJson, int maxLength, String source) {
        this.tokenizerJson = tokenizerJson.clone();
        this.maxLength = maxLength;
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new ModelFormatException(source + ": tokenizer.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.has("model")) {
            throw new ModelFormatException(source + ": not a Hugging Face tokenizer.json (no 'model' section)");
        }
        this.lowercase = root.path("normalizer").path("lowercase").asBoolean(false);
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), Map.of(
                    "addSpecialTokens", "true",
                    "truncation", "true",
                    "padding", "false",
                    "maxLength", Integer.toString(maxLength)));
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(source + ": cannot load tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** @return the original {@code tokenizer.json} bytes (for saving) */
    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    /** @return whether the tokenizer lowercases (BertNormalizer's {@code lowercase}) */
    public boolean lowercase() {
        return lowercase;
    }

    /** @return the hard limit on tokens per sequence */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Tokenizes texts, with special tokens, truncated to {@code maxTokens}.
     *
     * @param texts texts (empty allowed: gives just the special tokens)
     * @param maxTokens at most this many ids per text, special tokens included (≤ {@link #maxLength()})
     * @return one id array per text
     */
    public long[][] encode(List<String> texts, int maxTokens) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be >= 2 (room for the special tokens), got " + maxTokens);
        }
        int limit = Math.min(maxTokens, maxLength);
        Encoding[] enc = tokenizer.batchEncode(texts);
        long[][] out = new long[enc.length][];
        for (int i = 0; i < enc.length; i++) {
            long[] ids = enc[i].getIds();
            if (ids.length > limit) {
                long[] t = new long[limit];
                System.arraycopy(ids, 0, t, 0, limit - 1);
                t[limit - 1] = ids[ids.length - 1];
                ids = t;
            }
            out[i] = ids;
        }
        return out;
    }

    /**
     * @param text a text
     * @return its token count with special tokens, capped at {@link #maxLength()}
     */
    public int countTokens(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
