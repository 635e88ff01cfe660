package io.bge4j.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.nn.BertEncoder;
import io.bge4j.core.tokenizer.BgeTokenizer;
import io.bge4j.core.weights.OnnxWeightImporter;
import io.bge4j.core.weights.Safetensors;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BGE embedding model: encoder weights (owned by this model's {@link NDManager}), tokenizer,
 * pooling, normalisation and query instruction. Load it from a Hugging Face directory, the HF
 * cache, or an embedded preset; fine-tune it with bge-train; save it in the layout that
 * {@code transformers}, sentence-transformers and FlagEmbedding load.
 *
 * <p>Usage:
 * <pre>{@code
 * try (BgeModel model = BgeModel.load("bge-small-en-v1.5");
 *      Embedder emb = model.embedder().batchSize(64).build()) {
 *     float[][] q = emb.encodeQueries(List.of("how do I reset my password"));
 * }
 * }</pre>
 */
public final class BgeModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BgeModel.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> STRIP_PREFIXES = List.of("bert.", "roberta.", "model.");

    private final String name;
    private final EncoderConfig config;
    private final BertEncoder encoder;
    private final BgeTokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final String queryInstruction;
    private final int maxLength;
    private final BgePreset.SizeClass sizeClass;
    private final NDManager manager;
    private final Map<String, byte[]> tokenizerExtras;
    private volatile List<Integer> matryoshkaDimensions;

    private BgeModel(Builder b, Map<String, TensorData> weights, String source) {
        this.name = b.name;
        this.config = b.config;
        this.pooling = b.pooling;
        this.normalize = b.normalize;
        this.queryInstruction = b.queryInstruction;
        this.maxLength = b.maxLength;
        this.sizeClass = b.sizeClass;
        this.tokenizerExtras = Map.copyOf(b.tokenizerExtras);
        this.matryoshkaDimensions = b.matryoshkaDimensions;
        DjlRuntime.engine();
        this.manager = NDManager.newBaseManager(b.device == null ? DjlRuntime.defaultDevice() : b.device);
        this.manager.setName("bge-model:" + name);
        this.encoder = new BertEncoder(config);
        BgeTokenizer tok = null;
        try {
            tok = new BgeTokenizer(b.tokenizerJson, maxLength, source);
            if (weights == null) {
                encoder.initializeRandom(manager, b.randomSeed);
            } else {
                setWeights(weights, source);
            }
        } catch (RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            manager.close();
            throw e;
        }
        this.tokenizer = tok;
    }

    private void setWeights(Map<String, TensorData> weights, String source) {
        List<String> ignored = new ArrayList<>();
        Map<String, Parameter> params = encoder.namedParameters();
        for (TensorData t : weights.values()) {
            String n = t.name();
            if (!params.containsKey(n)) {
                for (String p : STRIP_PREFIXES) {
                    if (n.startsWith(p) && params.containsKey(n.substring(p.length()))) {
                        n = n.substring(p.length());
                        break;
                    }
                }
            }
            if (!params.containsKey(n)) {
                ignored.add(t.name());
                continue;
            }
            try {
                encoder.setParameter(n, manager.create(t.data(), new Shape(t.shape())));
            } catch (ModelFormatException e) {
                throw new ModelFormatException(source + ": " + e.getMessage());
            }
        }
        List<String> missing = encoder.missingParameters();
        if (!missing.isEmpty()) {
            throw new ModelFormatException(source + ": " + missing.size() + " encoder weights are missing, e.g. '"
                    + missing.get(0) + "'; the file does not hold a complete " + config.modelType() + " encoder");
        }
        if (!ignored.isEmpty()) {
            LOG.debug("{}: ignored {} tensors that are not encoder weights (e.g. {})", source, ignored.size(),
                    ignored.get(0));
        }
    }

    /**
     * Loads a preset by name ({@code bge-small-en-v1.5}; embedded ones need no files) or a model
     * directory by path.
     *
     * @param nameOrPath a preset name / HF id, or a directory
     * @return the model (close it)
     * @throws ModelFormatException when a preset's weights are not available locally (the message says where to put them)
     */
    public static BgeModel load(String nameOrPath) {
        return loader().load(nameOrPath);
    }

    /**
     * Loads a Hugging Face model directory or an HF cache repository folder
     * ({@code models--BAAI--bge-base-en-v1.5}, resolved to its {@code snapshots/<rev>}).
     *
     * @param dir the directory
     * @return the model (close it)
     */
    public static BgeModel load(Path dir) {
        return loader().load(dir);
    }

    /** @return a loader with options (device, instruction override) */
    public static Loader loader() {
        return new Loader();
    }

    /**
     * Options for loading a model.
     *
     * <p>Usage: {@code BgeModel m = BgeModel.loader().device(Device.gpu()).load("bge-small-en-v1.5");}
     */
    public static final class Loader {
        private Device device;
        private String queryInstruction;
        private Integer maxLength;

        private Loader() {}

        /** @param device where parameters live (default: {@link DjlRuntime#defaultDevice()}) @return this */
        public Loader device(Device device) {
            this.device = device;
            return this;
        }

        /** @param instruction query instruction to use instead of the model's own @return this */
        public Loader queryInstruction(String instruction) {
            this.queryInstruction = Objects.requireNonNull(instruction, "queryInstruction");
            return this;
        }

        /** @param maxLength cap on tokens per text (default: the model's) @return this */
        public Loader maxLength(int maxLength) {
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * @param nameOrPath preset name / HF id, or a directory
         * @return the model
         */
        public BgeModel load(String nameOrPath) {
            Optional<BgePreset> preset = BgePreset.find(nameOrPath);
            if (preset.isEmpty()) {
                Path p = Path.of(nameOrPath);
                if (Files.isDirectory(p)) {
                    return load(p);
                }
                throw new ModelFormatException("'" + nameOrPath + "' is neither a model directory nor a known preset ("
                        + String.join(", ", Stream.of(BgePreset.values()).map(BgePreset::modelName).toList()) + ")");
            }
            BgePreset pr = preset.get();
            ClassLoader cl = BgeModel.class.getClassLoader();
            Optional<EmbeddedModels.Registration> embedded = EmbeddedModels.find(cl, pr.modelName());
            if (embedded.isPresent()) {
                return loadEmbedded(pr, embedded.get(), cl);
            }
            Optional<Path> cached = HfCache.find(pr.huggingFaceId());
            if (cached.isPresent()) {
                return load(cached.get());
            }
            throw new ModelFormatException(missingPresetMessage(pr));
        }

        private BgeModel loadEmbedded(BgePreset pr, EmbeddedModels.Registration reg, ClassLoader cl) {
            String source = "classpath:" + reg.weightsResource();
            Map<String, TensorData> weights;
            byte[] tok;
            try (InputStream onnx = cl.getResourceAsStream(reg.weightsResource());
                    InputStream tj = cl.getResourceAsStream(reg.tokenizerResource())) {
                if (onnx == null || tj == null) {
                    throw new ModelFormatException(reg.from() + " registers " + pr.modelName() + " but "
                            + (onnx == null ? reg.weightsResource() : reg.tokenizerResource()) + " is not on the class"
                            + " path; " + reg.artifact() + " needs its dependency on the langchain4j weights jar"
                            + " (do not exclude it)");
                }
                weights = OnnxWeightImporter.read(onnx, source);
                tok = tj.readAllBytes();
            } catch (IOException e) {
                throw new ModelFormatException("cannot read embedded " + pr.modelName() + ": " + e.getMessage(), e);
            }
            Map<String, long[]> shapes = new LinkedHashMap<>();
            weights.forEach((n, t) -> shapes.put(n, t.shape()));
            EncoderConfig cfg = EncoderConfig.inferBert(shapes, pr.attentionHeads(), source);
            Builder b = builder().name(pr.modelName()).config(cfg).tokenizerJson(tok).preset(pr)
                    .device(device);
            applyOverrides(b);
            return b.build(weights, source);
        }

        private void applyOverrides(Builder b) {
            if (queryInstruction != null) {
                b.queryInstruction(queryInstruction);
            }
            if (maxLength != null) {
                b.maxLength(Math.min(maxLength, b.config.maxSequenceLength()));
            }
        }

        /**
         * @param dir a HF model directory or HF cache repository folder
         * @return the model
         */
        public BgeModel load(Path dir) {
            Path d = HfCache.resolveSnapshot(dir);
            if (!Files.isDirectory(d)) {
                throw new ModelFormatException("model directory not found: " + dir);
            }
            EncoderConfig cfg = EncoderConfig.read(d.resolve("config.json"));
            Path tokFile = d.resolve("tokenizer.json");
            if (!Files.isRegularFile(tokFile)) {
                throw new ModelFormatException("tokenizer.json not found in " + d + "; bge4j needs the fast-tokenizer file"
                        + " (save it from Python with AutoTokenizer.from_pretrained(...).save_pretrained(dir))");
            }
            Map<String, TensorData> weights = readWeights(d);
            String displayName = d.getFileName() == null ? d.toString() : d.getFileName().toString();
            Optional<BgePreset> preset = BgePreset.guess(d.toString()).or(() -> BgePreset.guess(
                    readJson(d.resolve("config.json")).path("_name_or_path").asText(null)));
            Builder b = builder().name(displayName).config(cfg).device(device);
            preset.ifPresent(b::preset);
            try {
                b.tokenizerJson(Files.readAllBytes(tokFile));
                for (String extra : List.of("tokenizer_config.json", "special_tokens_map.json")) {
                    if (Files.isRegularFile(d.resolve(extra))) {
                        b.tokenizerExtras.put(extra, Files.readAllBytes(d.resolve(extra)));
                    }
                }
            } catch (IOException e) {
                throw new ModelFormatException("cannot read tokenizer files in " + d + ": " + e.getMessage(), e);
            }
            SentenceTransformersLayout.apply(d, b);
            applyOverrides(b);
            return b.build(weights, d.toString());
        }

        private static Map<String, TensorData> readWeights(Path d) {
            Path st = d.resolve("model.safetensors");
            if (Files.isRegularFile(st)) {
                return Safetensors.readAll(st);
            }
            if (Files.isRegularFile(d.resolve("model.safetensors.index.json"))) {
                Map<String, TensorData> all = new LinkedHashMap<>();
                JsonNode idx = readJson(d.resolve("model.safetensors.index.json")).path("weight_map");
                java.util.Set<String> shards = new java.util.TreeSet<>();
                idx.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
                for (String s : shards) {
                    all.putAll(Safetensors.readAll(d.resolve(s)));
                }
                return all;
            }
            for (Path onnx : List.of(d.resolve("model.onnx"), d.resolve("onnx").resolve("model.onnx"))) {
                if (Files.isRegularFile(onnx)) {
                    try (InputStream in = Files.newInputStream(onnx)) {
                        return OnnxWeightImporter.read(in, onnx.toString());
                    } catch (IOException e) {
                        throw new ModelFormatException("cannot read " + onnx + ": " + e.getMessage(), e);
                    }
                }
            }
            if (Files.isRegularFile(d.resolve("pytorch_model.bin"))) {
                throw new ModelFormatException(d + " holds only pytorch_model.bin (a Python pickle, which bge4j never"
                        + " unpickles because loading it can run arbitrary code). Convert it once with Python:"
                        + " from transformers import AutoModel; AutoModel.from_pretrained('" + d
                        + "').save_pretrained('" + d + "', safe_serialization=True); or, without Python, fetch the"
                        + " Hub's converted model.safetensors or use the repository's ONNX export (docs/models.md)");
            }
            throw new ModelFormatException("no weights in " + d + ": expected model.safetensors (or"
                    + " model.safetensors.index.json with shards, or model.onnx)");
        }
    }

    /** The error for a preset that is neither on the class path nor in the HF cache: what to add or fetch. */
    static String missingPresetMessage(BgePreset pr) {
        String cache = HfCache.hubDir().resolve(HfCache.repoFolder(pr.huggingFaceId())).toString();
        String where = " Or put its files (config.json, model.safetensors, tokenizer.json) in a directory and load"
                + " that: BgeModel.load(Path.of(\"models/" + pr.modelName() + "\")) in Java, --model models/"
                + pr.modelName() + " on the CLI (git clone https://huggingface.co/" + pr.huggingFaceId()
                + " with git LFS gives such a directory), or place an HF cache snapshot under " + cache
                + " (HF_HUB_CACHE / HF_HOME are honoured). See docs/models.md";
        if (pr.modelArtifact().isPresent()) {
            String[] ga = pr.modelArtifact().get().split(":");
            return pr.modelName() + " is not on the class path and not in the Hugging Face cache (" + HfCache.hubDir()
                    + "). Add the artifact " + pr.modelArtifact().get() + " (Maven: <dependency><groupId>" + ga[0]
                    + "</groupId><artifactId>" + ga[1] + "</artifactId></dependency>, version from bge4j-bom;"
                    + " Gradle: implementation(\"" + pr.modelArtifact().get() + "\"))." + where;
        }
        return pr.modelName() + " is not embedded in any bge4j artifact and was not found in the Hugging Face cache ("
                + HfCache.hubDir() + ")." + where;
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /**
     * Builds a model from parts: for tiny random test models and programmatic construction.
     *
     * <p>Usage: {@code BgeModel m = BgeModel.builder().config(cfg).tokenizerJson(bytes).buildRandom(42);}
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Assembles a {@link BgeModel}; validates in {@code build}. */
    public static final class Builder {
        private String name = "bge-model";
        private EncoderConfig config;
        private byte[] tokenizerJson;
        private Pooling pooling = Pooling.CLS;
        private boolean normalize = true;
        private String queryInstruction = "";
        private Integer maxLength;
        private BgePreset.SizeClass sizeClass;
        private Device device;
        private long randomSeed;
        private final Map<String, byte[]> tokenizerExtras = new LinkedHashMap<>();
        private List<Integer> matryoshkaDimensions = List.of();

        private Builder() {}

        /** @param name display name @return this */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @param config architecture @return this */
        public Builder config(EncoderConfig config) {
            this.config = config;
            return this;
        }

        /** @param json {@code tokenizer.json} bytes @return this */
        public Builder tokenizerJson(byte[] json) {
            this.tokenizerJson = json;
            return this;
        }

        /** @param pooling pooling (default CLS) @return this */
        public Builder pooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        /** @param normalize L2-normalise outputs (default true) @return this */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** @param instruction prepended to queries (default empty) @return this */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = instruction;
            return this;
        }

        /** @param maxLength tokens per text (default: the config's positions) @return this */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** @param sizeClass size class (default: inferred from hidden size) @return this */
        public Builder sizeClass(BgePreset.SizeClass sizeClass) {
            this.sizeClass = sizeClass;
            return this;
        }

        /** @param device where parameters live @return this */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Takes the preset's instruction, pooling, size class and max length.
         *
         * @param preset the preset
         * @return this
         */
        public Builder preset(BgePreset preset) {
            this.queryInstruction = preset.queryInstruction();
            this.pooling = preset.pooling();
            this.sizeClass = preset.sizeClass();
            this.maxLength = preset.maxLength();
            return this;
        }

        /**
         * @param extras extra tokenizer files to save alongside (file name → bytes)
         * @return this
         */
        public Builder tokenizerFiles(Map<String, byte[]> extras) {
            this.tokenizerExtras.putAll(extras);
            return this;
        }

        /**
         * @param dims the leading dimensions the weights were trained for with a Matryoshka loss (empty: none);
         *     saved with the model, see {@link BgeModel#matryoshkaDimensions()}
         * @return this
         */
        public Builder matryoshkaDimensions(List<Integer> dims) {
            this.matryoshkaDimensions = List.copyOf(dims);
            return this;
        }

        private void validate() {
            if (config == null) {
                throw new IllegalArgumentException("config is required");
            }
            checkDimensions(matryoshkaDimensions, config.hiddenSize());
            if (tokenizerJson == null) {
                throw new IllegalArgumentException("tokenizerJson is required");
            }
            if (pooling == null) {
                throw new IllegalArgumentException("pooling must not be null");
            }
            if (queryInstruction == null) {
                throw new IllegalArgumentException("queryInstruction must not be null (use \"\" for none)");
            }
            int positions = config.maxSequenceLength();
            if (maxLength == null) {
                maxLength = positions;
            }
            maxLength = Math.min(maxLength, positions);
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
            }
            if (sizeClass == null) {
                int h = config.hiddenSize();
                sizeClass = h <= 512 ? BgePreset.SizeClass.SMALL
                        : h <= 768 ? BgePreset.SizeClass.BASE : BgePreset.SizeClass.LARGE;
            }
        }

        /**
         * @param seed RNG seed for the weights
         * @return a model with BERT-style random weights
         */
        public BgeModel buildRandom(long seed) {
            validate();
            this.randomSeed = seed;
            return new BgeModel(this, null, name);
        }

        /**
         * @param weights HF-named tensors (all encoder weights required; extras ignored)
         * @param source name for messages
         * @return the model
         */
        public BgeModel build(Map<String, TensorData> weights, String source) {
            validate();
            return new BgeModel(this, Objects.requireNonNull(weights, "weights"), source);
        }
    }

    /** @return display name */
    public String name() {
        return name;
    }

    /** @return architecture */
    public EncoderConfig config() {
        return config;
    }

    /** @return the encoder block (parameters owned by {@link #manager()}) */
    public BertEncoder encoder() {
        return encoder;
    }

    /** @return the tokenizer */
    public BgeTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return pooling */
    public Pooling pooling() {
        return pooling;
    }

    /** @return whether embeddings are L2-normalised */
    public boolean normalize() {
        return normalize;
    }

    /** @return the instruction prepended to queries (may be empty) */
    public String queryInstruction() {
        return queryInstruction;
    }

    /** @return maximum tokens per text */
    public int maxLength() {
        return maxLength;
    }

    /** @return size class */
    public BgePreset.SizeClass sizeClass() {
        return sizeClass;
    }

    /** @return the manager owning the parameters */
    public NDManager manager() {
        return manager;
    }

    /** @return the device parameters live on */
    public Device device() {
        return manager.getDevice();
    }

    /** @return the embedding dimension */
    public int dimension() {
        return config.hiddenSize();
    }

    /** @return name → parameter value, HF order (live arrays: do not close) */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        encoder.namedParameters().forEach((n, p) -> out.put(n, p.getArray()));
        return out;
    }

    /** @return a heap copy of every encoder weight */
    public Map<String, TensorData> toTensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        encoder.namedParameters().forEach((n, p) -> {
            NDArray a = p.getArray();
            float[] v = a.getDataType() == DataType.FLOAT32 ? a.toFloatArray()
                    : a.toType(DataType.FLOAT32, true).toFloatArray();
            out.put(n, new TensorData(n, a.getShape().getShape(), v));
        });
        return out;
    }

    /**
     * Overwrites the weights in place (e.g. restoring the best checkpoint).
     *
     * @param weights HF-named tensors of the same shapes
     */
    public void loadTensors(Map<String, TensorData> weights) {
        for (TensorData t : weights.values()) {
            Parameter p = encoder.namedParameters().get(t.name());
            if (p == null) {
                continue;
            }
            NDArray a = p.getArray();
            if (!a.getShape().equals(new Shape(t.shape()))) {
                throw new ModelFormatException("weight '" + t.name() + "' has shape " + new Shape(t.shape())
                        + " but the model has " + a.getShape());
            }
            a.set(java.nio.FloatBuffer.wrap(t.data()));
        }
    }

    /**
     * The leading dimensions these weights were trained for with a Matryoshka loss, largest first; an
     * {@link BgeEmbedder} built with {@code .dimension(d)} for one of them keeps most of the full vector's quality.
     * Saved in {@code config_sentence_transformers.json} under {@value SentenceTransformersLayout#MATRYOSHKA_KEY}.
     *
     * @return the dimensions, or an empty list when the model was not trained for truncation
     */
    public List<Integer> matryoshkaDimensions() {
        return matryoshkaDimensions;
    }

    /**
     * Records that the weights were (or were not) trained for these leading dimensions; the trainer calls it
     * after a Matryoshka run so that {@link #save} writes them.
     *
     * @param dims distinct dimensions in [1, {@link #dimension()}] (stored largest first), or empty
     * @throws IllegalArgumentException when a dimension is out of range or repeated
     */
    public void setMatryoshkaDimensions(List<Integer> dims) {
        List<Integer> copy = List.copyOf(dims);
        checkDimensions(copy, config.hiddenSize());
        this.matryoshkaDimensions = copy.stream().sorted(java.util.Comparator.reverseOrder()).toList();
    }

    static void checkDimensions(List<Integer> dims, int hidden) {
        if (dims.stream().distinct().count() != dims.size()) {
            throw new IllegalArgumentException("Matryoshka dimensions must be distinct, got " + dims);
        }
        for (int d : dims) {
            if (d < 1 || d > hidden) {
                throw new IllegalArgumentException("Matryoshka dimension " + d + " is outside [1, " + hidden
                        + "] (the model's embedding dimension)");
            }
        }
    }

    /** @return a deep copy on the same device (for keeping a best checkpoint or a frozen base) */
    public BgeModel copy() {
        Builder b = builder().name(name).config(config).tokenizerJson(tokenizer.tokenizerJson()).pooling(pooling)
                .normalize(normalize).queryInstruction(queryInstruction).maxLength(maxLength).sizeClass(sizeClass)
                .device(device()).tokenizerFiles(tokenizerExtras).matryoshkaDimensions(matryoshkaDimensions);
        return b.build(toTensors(), name);
    }

    /**
     * Embeds already-tokenized texts: pad, encode, pool, normalise. Gradients flow when called inside a
     * {@code GradientCollector}; this is the entry point the trainer uses.
     *
     * @param m owner of every intermediate and of the result (e.g. a per-step child manager)
     * @param ids token ids per text (from {@link #tokenizer()})
     * @param training true to apply dropout
     * @return [texts, hidden] embeddings
     */
    public NDArray embed(NDManager m, long[][] ids, boolean training) {
        NDArray[] in = BgeEmbedder.pad(m, ids, config.padTokenId());
        NDArray hidden = encoder.forward(in[0], in[1], training);
        NDArray pooled = pooling.pool(hidden, in[1]);
        return normalize ? Pooling.normalize(pooled) : pooled;
    }

    /**
     * As {@link #embed(NDManager, long[][], boolean)}, with one dropout key per text: with
     * {@code training} true, each text's dropout masks depend only on its key and its own length, so
     * the text gets the same embedding alone, in any batch and in any chunking (what GradCache needs to
     * reproduce a full-batch step with dropout on). Consumes the engine's random seed; see
     * {@link BertEncoder#forward(NDArray, NDArray, NDArray, boolean, long[])}.
     *
     * <p>Usage: {@code model.embed(m, ids, true, keys)} with {@code keys[i] = BertEncoder.dropoutKey(seed, step, ids[i])}
     *
     * @param m owner of every intermediate and of the result
     * @param ids token ids per text
     * @param training true to apply dropout
     * @param rowKeys one key per text, or null for ordinary dropout (the three-argument behaviour)
     * @return [texts, hidden] embeddings
     * @throws IllegalArgumentException when {@code rowKeys} is not null and not one key per text
     */
    public NDArray embed(NDManager m, long[][] ids, boolean training, long[] rowKeys) {
        if (rowKeys != null && rowKeys.length != ids.length) {
            throw new IllegalArgumentException("rowKeys has " + rowKeys.length + " keys for " + ids.length
                    + " texts; pass one dropout key per text (or null for ordinary dropout)");
        }
        NDArray[] in = BgeEmbedder.pad(m, ids, config.padTokenId());
        NDArray hidden = encoder.forward(in[0], in[1], null, training, rowKeys);
        NDArray pooled = pooling.pool(hidden, in[1]);
        return normalize ? Pooling.normalize(pooled) : pooled;
    }

    /** @return a builder for an {@link Embedder} over this model */
    public BgeEmbedder.Builder embedder() {
        return BgeEmbedder.builder(this);
    }

    /**
     * Saves the model as a Hugging Face + sentence-transformers directory: {@code config.json},
     * {@code model.safetensors}, tokenizer files, {@code modules.json}, {@code 1_Pooling/config.json},
     * {@code 2_Normalize/}, {@code config_sentence_transformers.json} (with the query prompt) and
     * {@code sentence_bert_config.json}.
     *
     * <p>Like {@code save_pretrained}, only these files are written or replaced; every other file in
     * {@code dir} is left alone, so {@code save(Path.of("."))} or a folder shared with data is safe.
     * The files are staged in a hidden folder inside {@code dir} and moved into place one by one with
     * {@code config.json} last (its old copy is removed first), so a crash never leaves a folder that
     * loads as a half-written model. The save is refused, with a message saying what to do, when
     * {@code dir} holds weights of another format ({@code pytorch_model.bin}, {@code model.onnx},
     * sharded safetensors...) that a loader could pick instead of the new ones. Files and folders get
     * the process's default permissions (the umask decides).
     *
     * @param dir the target directory (created when missing)
     * @throws Bge4jException when the folder cannot be written or saving into it would be ambiguous
     */
    public void save(Path dir) {
        ModelSave.save(this, dir, ModelSave.Steps.NONE);
    }

    /** Writes every file of the saved layout into {@code d} (an empty staging folder). */
    void writeFiles(Path d) throws IOException {
        ObjectNode cfg = config.toJson();
        BgePreset.guess(name).ifPresent(p -> cfg.put("_name_or_path", p.huggingFaceId()));
        Files.writeString(d.resolve("config.json"), JSON.writeValueAsString(cfg));
        Safetensors.write(d.resolve("model.safetensors"), toTensors().values(), Map.of("format", "pt"));
        Files.write(d.resolve("tokenizer.json"), tokenizer.tokenizerJson());
        SentenceTransformersLayout.writeTokenizerConfigs(d, this, tokenizerExtras);
        SentenceTransformersLayout.write(d, this);
    }

    /** Frees the parameters and the tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }

    @Override
    public String toString() {
        return "BgeModel[" + name + ", " + encoder + ", " + pooling + (normalize ? ", normalized" : "") + "]";
    }

    /** Package access for {@link SentenceTransformersLayout}. */
    static Builder setLayout(Builder b, Pooling pooling, Boolean normalize, String instruction, Integer maxLength,
            List<Integer> matryoshka) {
        if (matryoshka != null) {
            b.matryoshkaDimensions = List.copyOf(matryoshka);
        }
        if (pooling != null) {
            b.pooling = pooling;
        }
        if (normalize != null) {
            b.normalize = normalize;
        }
        if (instruction != null) {
            b.queryInstruction = instruction;
        }
        if (maxLength != null) {
            b.maxLength = maxLength;
        }
        return b;
    }
}
