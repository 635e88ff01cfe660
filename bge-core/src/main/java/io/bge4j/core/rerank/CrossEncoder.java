package io.bge4j.core.rerank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A BGE cross-encoder (reranker): a BERT or XLM-RoBERTa encoder reading a query-passage pair and a
 * one-output classification head, in the layout of Hugging Face's {@code BertForSequenceClassification}
 * and {@code XLMRobertaForSequenceClassification} (bge-reranker-base/large, bge-reranker-v2-m3).
 *
 * <p>Score of a pair (the raw logit, as FlagEmbedding's {@code compute_score} without {@code normalize}):
 * <ul>
 *   <li>BERT: {@code h = last_hidden[0]} (the {@code [CLS]} token), {@code pooled = tanh(W_p h + b_p)}
 *   ({@code bert.pooler.dense}), {@code score = w_c · pooled + b_c} ({@code classifier});</li>
 *   <li>XLM-R: {@code h = last_hidden[0]} (the {@code <s>} token), {@code z = tanh(W_d h + b_d)}
 *   ({@code classifier.dense}), {@code score = w_o · z + b_o} ({@code classifier.out_proj}).</li>
 * </ul>
 * Dropout (the encoder's hidden dropout) sits where HF puts it, before the last linear layer (and, for
 * XLM-R, before the dense layer too), and is active only in training.
 *
 * <p>The encoder is a {@link BgeModel}'s (its blocks, tokenizer and weights I/O); this class adds the
 * head, the pair tokenization ({@link PairTokenizer}) and the HF sequence-classification save layout,
 * which {@code transformers.AutoModelForSequenceClassification} and sentence-transformers'
 * {@code CrossEncoder} load ({@code sentence_transformers.activation_fn} is set to identity, so both
 * return the same raw scores as {@link #score}). Every parameter lives in the model's manager.
 *
 * <p>Usage:
 * <pre>{@code
 * try (CrossEncoder ce = CrossEncoder.load(Path.of("models/bge-reranker-base"))) {
 *     float[] s = ce.score("how to install a web server", List.of("nginx is a web server", "vim edits text"));
 * }
 * try (BgeModel emb = BgeModel.load("bge-small-en-v1.5");
 *      CrossEncoder fresh = CrossEncoder.fromEmbedder(emb, 42)) {   // new seeded head, ready to fine-tune
 *     fresh.save(Path.of("runs/ce-init"));
 * }
 * }</pre>
 */
public final class CrossEncoder implements Reranker, AutoCloseable {

    /** The two head layouts. */
    public enum Head {
        /** {@code BertForSequenceClassification}: pooler (dense + tanh) then {@code classifier}. */
        BERT_POOLER,
        /** {@code XLMRobertaForSequenceClassification}: {@code classifier.dense} + tanh + {@code classifier.out_proj}. */
        ROBERTA_CLASSIFICATION
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int DEFAULT_BATCH = 32;

    private final BgeModel model;
    private final Head head;
    private final Map<String, NDArray> headParams;
    private final PairTokenizer pairs;
    private final Map<String, byte[]> tokenizerFiles;
    private final PairLimits limits;
    private final int batchSize;
    private final String queryInstruction;

    private CrossEncoder(BgeModel model, Map<String, TensorData> headWeights, Map<String, byte[]> tokenizerFiles,
            PairLimits limits, int batchSize, String queryInstruction) {
        this.model = model;
        this.head = model.config().isXlmRoberta() ? Head.ROBERTA_CLASSIFICATION : Head.BERT_POOLER;
        this.tokenizerFiles = Map.copyOf(tokenizerFiles);
        this.limits = limits;
        this.batchSize = batchSize;
        this.queryInstruction = queryInstruction;
        Map<String, NDArray> hp = new LinkedHashMap<>();
        for (String n : headNames(head)) {
            TensorData t = headWeights.get(n);
            Shape expected = headShape(n, model.config().hiddenSize());
            if (t == null) {
                throw new ModelFormatException("cross-encoder head weight '" + n + "' is missing");
            }
            if (!expected.equals(new Shape(t.shape()))) {
                throw new ModelFormatException("cross-encoder head weight '" + n + "' has shape "
                        + Arrays.toString(t.shape()) + " but a one-output head of width " + model.config().hiddenSize()
                        + " needs " + expected + (n.startsWith("classifier") && t.shape().length > 0 && t.shape()[0] > 1
                        ? " (bge4j supports rerankers with num_labels = 1 only)" : ""));
            }
            hp.put(n, model.manager().create(t.data(), expected));
        }
        this.headParams = hp;
        this.pairs = new PairTokenizer(model.tokenizer().tokenizerJson(), model.config().typeVocabSize(), model.name());
    }

    private static List<String> headNames(Head head) {
        return head == Head.BERT_POOLER
                ? List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias")
                : List.of("classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight",
                        "classifier.out_proj.bias");
    }

    private static Shape headShape(String name, int hidden) {
        if (name.endsWith("dense.weight")) {
            return new Shape(hidden, hidden);
        } else if (name.endsWith("dense.bias")) {
            return new Shape(hidden);
        } else if (name.endsWith(".weight")) {
            return new Shape(1, hidden);
        }
        return new Shape(1);
    }

    private String encoderPrefix() {
        return head == Head.BERT_POOLER ? "bert." : "roberta.";
    }

    /**
     * Loads a Hugging Face sequence-classification directory ({@code config.json}, {@code model.safetensors},
     * {@code tokenizer.json}) with one output.
     *
     * @param dir the directory
     * @return the cross-encoder (close it)
     * @throws ModelFormatException when a file is missing, the head is absent, or it has more than one output
     */
    public static CrossEncoder load(Path dir) {
        return loader().load(dir);
    }

    /**
     * Builds a cross-encoder from an embedding model: a copy of its encoder and tokenizer, and a new head
     * initialised as transformers initialises one (weights normal(0, 0.02) from {@code seed}, biases 0).
     *
     * @param embedder the embedding model (not modified; the caller keeps ownership)
     * @param seed the head's seed
     * @return the cross-encoder (close it)
     */
    public static CrossEncoder fromEmbedder(BgeModel embedder, long seed) {
        return loader().fromEmbedder(embedder, seed);
    }

    /** @return options for loading or creating (pair budgets, batch size, query instruction) */
    public static Loader loader() {
        return new Loader();
    }

    /**
     * Options for {@link CrossEncoder#load(Path)} and {@link CrossEncoder#fromEmbedder(BgeModel, long)}.
     *
     * <p>Usage: {@code CrossEncoder ce = CrossEncoder.loader().limits(PairLimits.inference(256)).load(dir);}
     */
    public static final class Loader {
        private PairLimits limits;
        private int batchSize = DEFAULT_BATCH;
        private String queryInstruction = "";

        private Loader() {}

        /** @param limits pair budgets for {@link #score} (default: {@code PairLimits.inference(min(512, positions))}) @return this */
        public Loader limits(PairLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** @param batchSize pairs per forward pass when scoring (default 32) @return this */
        public Loader batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** @param instruction prepended to every query by {@link #score} (default none) @return this */
        public Loader queryInstruction(String instruction) {
            this.queryInstruction = Objects.requireNonNull(instruction, "queryInstruction");
            return this;
        }

        /**
         * @param dir a HF sequence-classification directory
         * @return the cross-encoder
         */
        public CrossEncoder load(Path dir) {
            Path cfgFile = dir.resolve("config.json");
            EncoderConfig cfg = EncoderConfig.read(cfgFile);
            JsonNode root = readJson(cfgFile);
            JsonNode id2label = root.path("id2label");
            if (id2label.isObject() && id2label.size() != 1) {
                throw new ModelFormatException(cfgFile + ": id2label has " + id2label.size() + " labels; bge4j loads"
                        + " rerankers with one output (num_labels = 1) only");
            }
            Path st = dir.resolve("model.safetensors");
            if (!Files.isRegularFile(st)) {
                throw new ModelFormatException("no model.safetensors in " + dir + "; a cross-encoder directory needs"
                        + " config.json, model.safetensors and tokenizer.json");
            }
            Map<String, TensorData> headW = new LinkedHashMap<>();
            Head head = cfg.isXlmRoberta() ? Head.ROBERTA_CLASSIFICATION : Head.BERT_POOLER;
            try (Safetensors.Reader r = Safetensors.open(st)) {
                for (Safetensors.Entry e : r.entries()) {
                    String n = e.name();
                    String canonical = head == Head.BERT_POOLER && n.startsWith("pooler.") ? "bert." + n : n;
                    if (headNames(head).contains(canonical)) {
                        TensorData t = r.read(e);
                        headW.put(canonical, new TensorData(canonical, t.shape(), t.data()));
                    }
                }
            }
            List<String> missing = headNames(head).stream().filter(n -> !headW.containsKey(n)).toList();
            if (!missing.isEmpty()) {
                throw new ModelFormatException(st + ": no sequence-classification head (missing '" + missing.get(0)
                        + "'): this looks like an embedding model; use CrossEncoder.fromEmbedder to add a new head");
            }
            Map<String, byte[]> tokFiles = new LinkedHashMap<>();
            for (String f : List.of("tokenizer_config.json", "special_tokens_map.json")) {
                if (Files.isRegularFile(dir.resolve(f))) {
                    try {
                        tokFiles.put(f, Files.readAllBytes(dir.resolve(f)));
                    } catch (IOException e) {
                        throw new ModelFormatException("cannot read " + dir.resolve(f) + ": " + e.getMessage(), e);
                    }
                }
            }
            BgeModel m = BgeModel.load(dir);
            try {
                return new CrossEncoder(m, headW, tokFiles, limitsFor(m), batchSize, queryInstruction);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        }

        /**
         * @param embedder an embedding model (copied)
         * @param seed the new head's seed
         * @return the cross-encoder
         */
        public CrossEncoder fromEmbedder(BgeModel embedder, long seed) {
            BgeModel copy = embedder.copy();
            try {
                Head head = copy.config().isXlmRoberta() ? Head.ROBERTA_CLASSIFICATION : Head.BERT_POOLER;
                Random rnd = new Random(seed);
                Map<String, TensorData> w = new LinkedHashMap<>();
                for (String n : headNames(head)) {
                    Shape s = headShape(n, copy.config().hiddenSize());
                    float[] v = new float[Math.toIntExact(s.size())];
                    if (n.endsWith(".weight")) {
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) (rnd.nextGaussian() * 0.02);
                        }
                    }
                    w.put(n, new TensorData(n, s.getShape(), v));
                }
                return new CrossEncoder(copy, w, Map.of(), limitsFor(copy), batchSize, queryInstruction);
            } catch (RuntimeException e) {
                copy.close();
                throw e;
            }
        }

        private PairLimits limitsFor(BgeModel m) {
            return limits != null ? limits : PairLimits.inference(Math.min(512, m.config().maxSequenceLength()));
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** @return the encoder architecture */
    public EncoderConfig config() {
        return model.config();
    }

    /** @return the head layout */
    public Head head() {
        return head;
    }

    /** @return the underlying encoder model (its tokenizer, manager and encoder weights; owned by this) */
    public BgeModel encoderModel() {
        return model;
    }

    /** @return the pair tokenizer */
    public PairTokenizer pairTokenizer() {
        return pairs;
    }

    /** @return the budgets {@link #score} uses */
    public PairLimits limits() {
        return limits;
    }

    /** @return the instruction {@link #score} prepends to queries (may be empty) */
    public String queryInstruction() {
        return queryInstruction;
    }

    /**
     * Every trainable parameter under the name it is saved with ({@code bert.encoder.layer.0...},
     * {@code classifier.weight}, ...). Live arrays: do not close.
     *
     * @return name → parameter
     */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        model.parameters().forEach((n, a) -> out.put(encoderPrefix() + n, a));
        out.putAll(headParams);
        return out;
    }

    /** @return a heap copy of every weight, under the saved names */
    public Map<String, TensorData> toTensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        model.toTensors().forEach((n, t) -> out.put(encoderPrefix() + n, new TensorData(encoderPrefix() + n,
                t.shape(), t.data())));
        headParams.forEach((n, a) -> out.put(n, new TensorData(n, a.getShape().getShape(),
                a.toType(DataType.FLOAT32, false).toFloatArray())));
        return out;
    }

    /**
     * Overwrites every weight in place (e.g. restoring the best checkpoint).
     *
     * @param weights tensors under the saved names, of the same shapes
     */
    public void loadTensors(Map<String, TensorData> weights) {
        Map<String, TensorData> enc = new LinkedHashMap<>();
        String prefix = encoderPrefix();
        for (TensorData t : weights.values()) {
            NDArray h = headParams.get(t.name());
            if (h != null) {
                if (!h.getShape().equals(new Shape(t.shape()))) {
                    throw new ModelFormatException("weight '" + t.name() + "' has shape " + new Shape(t.shape())
                            + " but the model has " + h.getShape());
                }
                h.set(java.nio.FloatBuffer.wrap(t.data()));
            } else if (t.name().startsWith(prefix)) {
                String n = t.name().substring(prefix.length());
                enc.put(n, new TensorData(n, t.shape(), t.data()));
            }
        }
        model.loadTensors(enc);
    }

    /**
     * Scores query-passage pairs in training or inference: pad, encode, take the first token, apply the
     * head. Gradients flow when called inside a {@code GradientCollector}.
     *
     * @param m owner of every intermediate and of the result
     * @param batch the pairs
     * @param training true to apply dropout
     * @return float [pairs] raw scores
     */
    public NDArray logits(NDManager m, List<EncodedPair> batch, boolean training) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("no pairs to score");
        }
        int longest = 1;
        for (EncodedPair p : batch) {
            longest = Math.max(longest, p.length());
        }
        if (longest > model.config().maxSequenceLength()) {
            throw new IllegalArgumentException("a pair of " + longest + " tokens exceeds the model's "
                    + model.config().maxSequenceLength() + " positions; lower the pair budget");
        }
        long[] ids = new long[batch.size() * longest];
        long[] mask = new long[ids.length];
        long[] types = new long[ids.length];
        Arrays.fill(ids, model.config().padTokenId());
        for (int i = 0; i < batch.size(); i++) {
            EncodedPair p = batch.get(i);
            System.arraycopy(p.ids(), 0, ids, i * longest, p.length());
            System.arraycopy(p.typeIds(), 0, types, i * longest, p.length());
            Arrays.fill(mask, i * longest, i * longest + p.length(), 1L);
        }
        Shape s = new Shape(batch.size(), longest);
        NDArray hidden = model.encoder().forward(m.create(ids, s), m.create(mask, s), m.create(types, s), training);
        NDArray first = hidden.get(new NDIndex(":, 0, :"));
        double rate = model.config().hiddenDropoutProb();
        NDArray out;
        if (head == Head.BERT_POOLER) {
            NDArray pooled = Linear.linear(first, headParams.get("bert.pooler.dense.weight"),
                    headParams.get("bert.pooler.dense.bias")).head().tanh();
            out = Linear.linear(dropout(pooled, rate, training), headParams.get("classifier.weight"),
                    headParams.get("classifier.bias")).head();
        } else {
            NDArray z = Linear.linear(dropout(first, rate, training), headParams.get("classifier.dense.weight"),
                    headParams.get("classifier.dense.bias")).head().tanh();
            out = Linear.linear(dropout(z, rate, training), headParams.get("classifier.out_proj.weight"),
                    headParams.get("classifier.out_proj.bias")).head();
        }
        return out.reshape(batch.size());
    }

    private static NDArray dropout(NDArray x, double rate, boolean training) {
        return !training || rate <= 0 ? x : Dropout.dropout(x, (float) rate, true).head();
    }

    /**
     * Scores passages against one query (the query instruction, if any, is prepended), in batches, without
     * building an autograd graph.
     *
     * @param query the query
     * @param passages candidates
     * @return one raw score per passage
     */
    @Override
    public float[] score(String query, List<String> passages) {
        List<String> qs = new ArrayList<>(passages.size());
        for (int i = 0; i < passages.size(); i++) {
            qs.add(query);
        }
        return scorePairs(qs, passages);
    }

    /**
     * Scores pairs (index i of each list), batched by length, without building an autograd graph.
     *
     * @param queries queries (the instruction, if any, is prepended)
     * @param passages passages, parallel to {@code queries}
     * @return one raw score per pair
     */
    public float[] scorePairs(List<String> queries, List<String> passages) {
        if (queries.size() != passages.size()) {
            throw new IllegalArgumentException(queries.size() + " queries but " + passages.size() + " passages");
        }
        float[] out = new float[queries.size()];
        if (out.length == 0) {
            return out;
        }
        List<EncodedPair> enc = new ArrayList<>(out.length);
        for (int i = 0; i < out.length; i++) {
            enc.add(pairs.encode(queryInstruction + queries.get(i), passages.get(i), limits));
        }
        Integer[] order = IntStream.range(0, out.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> enc.get(i).length()).reversed());
        try (NoGradient ignored = NoGradient.enter()) {
            for (int from = 0; from < order.length; from += batchSize) {
                int to = Math.min(order.length, from + batchSize);
                List<EncodedPair> batch = new ArrayList<>(to - from);
                for (int k = from; k < to; k++) {
                    batch.add(enc.get(order[k]));
                }
                try (NDManager sm = model.manager().newSubManager()) {
                    float[] s = logits(sm, batch, false).toType(DataType.FLOAT32, false).toFloatArray();
                    for (int k = from; k < to; k++) {
                        out[order[k]] = s[k - from];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Saves in Hugging Face sequence-classification layout: {@code config.json} (architectures, one label,
     * sentence-transformers' identity activation), {@code model.safetensors} (HF names), tokenizer files.
     * Written to a temporary sibling folder and moved into place.
     *
     * @param dir the target directory (replaced if it exists)
     */
    public void save(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp");
            writeFiles(tmp);
            Path old = null;
            if (Files.exists(target)) {
                old = parent.resolve("." + target.getFileName() + ".old-" + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            if (old != null) {
                AtomicFiles.deleteTree(old);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot save cross-encoder to " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    AtomicFiles.deleteTree(tmp);
                } catch (IOException ignored) {
                    // best effort cleanup of a failed save
                }
            }
        }
    }

    /** @return the {@code config.json} this model is saved with */
    public ObjectNode configJson() {
        ObjectNode cfg = model.config().toJson();
        boolean xlmr = model.config().isXlmRoberta();
        cfg.putArray("architectures").add(xlmr ? "XLMRobertaForSequenceClassification" : "BertForSequenceClassification");
        cfg.putObject("id2label").put("0", "LABEL_0");
        cfg.putObject("label2id").put("LABEL_0", 0);
        cfg.putNull("classifier_dropout");
        if (xlmr) {
            cfg.put("bos_token_id", 0).put("eos_token_id", 2);
        }
        String identity = "torch.nn.modules.linear.Identity";
        cfg.putObject("sentence_transformers").put("activation_fn", identity).put("version", "4.1.0");
        cfg.put("sbert_ce_default_activation_function", identity);
        return cfg;
    }

    private void writeFiles(Path d) throws IOException {
        Files.writeString(d.resolve("config.json"), JSON.writeValueAsString(configJson()));
        Safetensors.write(d.resolve("model.safetensors"), toTensors().values(), Map.of("format", "pt"));
        Files.write(d.resolve("tokenizer.json"), model.tokenizer().tokenizerJson());
        boolean xlmr = model.config().isXlmRoberta();
        String cls = xlmr ? "<s>" : "[CLS]";
        String sep = xlmr ? "</s>" : "[SEP]";
        String pad = xlmr ? "<pad>" : "[PAD]";
        String unk = xlmr ? "<unk>" : "[UNK]";
        String mask = xlmr ? "<mask>" : "[MASK]";
        if (tokenizerFiles.containsKey("tokenizer_config.json")) {
            Files.write(d.resolve("tokenizer_config.json"), tokenizerFiles.get("tokenizer_config.json"));
        } else {
            ObjectNode tc = JSON.createObjectNode();
            tc.put("tokenizer_class", xlmr ? "XLMRobertaTokenizer" : "BertTokenizer");
            tc.put("model_max_length", limits.pairMaxTokens());
            if (!xlmr) {
                tc.put("do_lower_case", model.tokenizer().lowercase());
            }
            tc.put("cls_token", cls).put("sep_token", sep).put("pad_token", pad).put("unk_token", unk)
                    .put("mask_token", mask).put("clean_up_tokenization_spaces", true);
            Files.writeString(d.resolve("tokenizer_config.json"), JSON.writeValueAsString(tc));
        }
        if (tokenizerFiles.containsKey("special_tokens_map.json")) {
            Files.write(d.resolve("special_tokens_map.json"), tokenizerFiles.get("special_tokens_map.json"));
        } else {
            ObjectNode sm = JSON.createObjectNode();
            sm.put("cls_token", cls).put("sep_token", sep).put("pad_token", pad).put("unk_token", unk)
                    .put("mask_token", mask);
            Files.writeString(d.resolve("special_tokens_map.json"), JSON.writeValueAsString(sm));
        }
    }

    /** Frees the parameters and tokenizers. */
    @Override
    public void close() {
        pairs.close();
        model.close();
    }

    @Override
    public String toString() {
        return "CrossEncoder[" + model.name() + ", " + head + ", " + model.config().numHiddenLayers() + " layers]";
    }
}
