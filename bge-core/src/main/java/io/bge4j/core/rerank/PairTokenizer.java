package io.bge4j.core.rerank;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.ModelFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Tokenizes query-passage pairs for a cross-encoder the way FlagEmbedding's reranker does: each text is
 * tokenized without special tokens and cut to its own budget, then the pair is assembled with the
 * tokenizer's own pair template and cut further, passage only, to the pair budget ({@link PairLimits}).
 *
 * <p>The pair template is read from {@code tokenizer.json}'s {@code post_processor}:
 * {@code TemplateProcessing} (BERT: {@code [CLS] A [SEP] B [SEP]}, segment 1 on {@code B [SEP]}),
 * {@code RobertaProcessing} (XLM-R: {@code <s> A </s></s> B </s>}, all segment 0) or
 * {@code BertProcessing}, also inside a {@code Sequence} processor. When the model has a single token
 * type ({@code type_vocab_size = 1}) every segment id is 0.
 *
 * <p>One departure from HF: when a query alone is so long that no passage token fits in the pair budget
 * (HF would then log an error and return an over-long pair), the query is cut too, so the pair always
 * fits the model.
 *
 * <p>Usage:
 * <pre>{@code
 * try (PairTokenizer t = new PairTokenizer(tokenizerJsonBytes, 2, "my-model")) {
 *     EncodedPair p = t.encode("what is apt", "apt installs packages", PairLimits.training(32, 128));
 * }
 * }</pre>
 */
public final class PairTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One element of a pair template: a fixed special token, or the A / B sequence. */
    private record Piece(long[] specialIds, char sequence, int typeId) {}

    private final HuggingFaceTokenizer tokenizer;
    private final List<Piece> template;
    private final int specialCount;
    private final boolean singleType;

    /**
     * @param tokenizerJson the bytes of {@code tokenizer.json}
     * @param typeVocabSize the model's {@code type_vocab_size} (1 forces all segment ids to 0)
     * @param source a name for error messages
     * @throws ModelFormatException when the file is not a tokenizer or has no pair template
     */
    public PairTokenizer(byte[] tokenizerJson, int typeVocabSize, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new ModelFormatException(source + ": tokenizer.json is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.has("model")) {
            throw new ModelFormatException(source + ": not a Hugging Face tokenizer.json (no 'model' section)");
        }
        this.template = parseTemplate(root, source);
        int n = 0;
        for (Piece p : template) {
            n += p.specialIds() == null ? 0 : p.specialIds().length;
        }
        this.specialCount = n;
        this.singleType = typeVocabSize < 2;
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), Map.of(
                    "addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(source + ": cannot load tokenizer.json: " + e.getMessage(), e);
        }
    }

    private static List<Piece> parseTemplate(JsonNode root, String source) {
        JsonNode pp = root.path("post_processor");
        if (pp.path("type").asText("").equals("Sequence")) {
            for (JsonNode p : pp.path("processors")) {
                String t = p.path("type").asText("");
                if (t.equals("TemplateProcessing") || t.equals("RobertaProcessing") || t.equals("BertProcessing")) {
                    pp = p;
                    break;
                }
            }
        }
        String type = pp.path("type").asText("");
        List<Piece> out = new ArrayList<>();
        switch (type) {
            case "TemplateProcessing" -> {
                JsonNode specials = pp.path("special_tokens");
                for (JsonNode e : pp.path("pair")) {
                    if (e.has("SpecialToken")) {
                        JsonNode st = e.get("SpecialToken");
                        JsonNode ids = specials.path(st.path("id").asText()).path("ids");
                        if (!ids.isArray() || ids.isEmpty()) {
                            throw new ModelFormatException(source + ": tokenizer.json pair template names special token '"
                                    + st.path("id").asText() + "' that has no ids in special_tokens");
                        }
                        long[] v = new long[ids.size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = ids.get(i).asLong();
                        }
                        out.add(new Piece(v, ' ', st.path("type_id").asInt(0)));
                    } else if (e.has("Sequence")) {
                        String id = e.get("Sequence").path("id").asText();
                        out.add(new Piece(null, id.equals("B") ? 'B' : 'A', e.get("Sequence").path("type_id").asInt(0)));
                    }
                }
            }
            case "RobertaProcessing", "BertProcessing" -> {
                long cls = pp.path("cls").path(1).asLong(-1);
                long sep = pp.path("sep").path(1).asLong(-1);
                if (cls < 0 || sep < 0) {
                    throw new ModelFormatException(source + ": tokenizer.json " + type + " lacks cls/sep ids");
                }
                boolean roberta = type.equals("RobertaProcessing");
                out.add(new Piece(new long[] {cls}, ' ', 0));
                out.add(new Piece(null, 'A', 0));
                out.add(new Piece(new long[] {sep}, ' ', 0));
                if (roberta) {
                    out.add(new Piece(new long[] {sep}, ' ', 0));
                }
                out.add(new Piece(null, 'B', roberta ? 0 : 1));
                out.add(new Piece(new long[] {sep}, ' ', roberta ? 0 : 1));
            }
            default -> throw new ModelFormatException(source + ": tokenizer.json has no pair template (post_processor '"
                    + type + "'); a cross-encoder needs TemplateProcessing, RobertaProcessing or BertProcessing");
        }
        long a = out.stream().filter(p -> p.sequence() == 'A').count();
        long b = out.stream().filter(p -> p.sequence() == 'B').count();
        if (a != 1 || b != 1) {
            throw new ModelFormatException(source + ": tokenizer.json pair template must hold sequence A and B once each");
        }
        return List.copyOf(out);
    }

    /** @return how many special tokens the pair template adds (3 for BERT, 4 for XLM-R) */
    public int specialTokensPerPair() {
        return specialCount;
    }

    /**
     * @param text a text
     * @return its token ids without special tokens, untruncated
     */
    public long[] tokenize(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return e.getIds();
    }

    /**
     * Tokenizes, truncates and assembles one pair.
     *
     * @param query the query (with any instruction already prepended)
     * @param passage the passage
     * @param limits the budgets
     * @return ids and segment ids
     */
    public EncodedPair encode(String query, String passage, PairLimits limits) {
        long[] q = head(tokenize(query), limits.queryMaxTokens());
        long[] p = head(tokenize(passage), limits.passageMaxTokens());
        int room = limits.pairMaxTokens() - specialCount;
        if (q.length + p.length > room) {
            int keepP = room - q.length;
            if (keepP < 0) {
                q = head(q, Math.max(0, room));
                keepP = 0;
            }
            p = head(p, keepP);
        }
        return assemble(q, p);
    }

    /**
     * @param queries queries, parallel to {@code passages}
     * @param passages passages
     * @param limits the budgets
     * @return one pair per index
     */
    public List<EncodedPair> encode(List<String> queries, List<String> passages, PairLimits limits) {
        if (queries.size() != passages.size()) {
            throw new IllegalArgumentException(queries.size() + " queries but " + passages.size() + " passages");
        }
        List<EncodedPair> out = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            out.add(encode(queries.get(i), passages.get(i), limits));
        }
        return out;
    }

    /**
     * Assembles a pair from already tokenized, already truncated parts with the template.
     *
     * @param a first sequence ids (no special tokens)
     * @param b second sequence ids (no special tokens)
     * @return the pair
     */
    public EncodedPair assemble(long[] a, long[] b) {
        int n = a.length + b.length + specialCount;
        long[] ids = new long[n];
        long[] types = new long[n];
        int o = 0;
        for (Piece piece : template) {
            long[] src = piece.specialIds() != null ? piece.specialIds() : piece.sequence() == 'A' ? a : b;
            System.arraycopy(src, 0, ids, o, src.length);
            Arrays.fill(types, o, o + src.length, singleType ? 0 : piece.typeId());
            o += src.length;
        }
        return new EncodedPair(ids, types);
    }

    private static long[] head(long[] ids, int n) {
        return ids.length <= n ? ids : Arrays.copyOf(ids, n);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
