package io.bge4j.train.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.HfCache;
import io.bge4j.core.ModelFormatException;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Files of a model directory that describe the model besides its weights (copied from the first model). */
    private static final List<String> LAYOUT_FILES = List.of("config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.txt", "sentencepiece.bpe.model", "modules.json",
            "config_sentence_transformers.json", "sentence_bert_config.json", "1_Pooling/config.json");

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
        Path target = output.toAbsolutePath().normalize();
        try {
            if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
                throw new Bge4jException("merge output " + target + " already exists and is not an empty directory;"
                        + " choose a new directory (bge4j never overwrites what it did not create)");
            }
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new Bge4jException("cannot prepare " + target + ": " + e.getMessage(), e);
        }
        Path work = null;
        List<TensorFile> open = new ArrayList<>();
        try {
            work = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".merge");
            Path staged = Files.createDirectory(work.resolve("out"));
            List<Path> dirs = resolveSources(work);
            Path firstDir = dirs.get(0);
            EncoderConfig firstCfg = EncoderConfig.read(firstDir.resolve("config.json"));
            byte[] firstTok = readTokenizer(firstDir);
            for (int i = 1; i < dirs.size(); i++) {
                String name = ingredients.get(i).source();
                Compatibility.sameArchitecture(ingredients.get(0).source(), firstCfg, name,
                        EncoderConfig.read(dirs.get(i).resolve("config.json")));
                Compatibility.sameVocabulary(ingredients.get(0).source(), firstTok, name, readTokenizer(dirs.get(i)));
            }
            List<Map<String, Located>> tensors = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                tensors.add(tensorsOf(dirs.get(i), ingredients.get(i).source(), open));
            }
            int[] counts = writeMerged(staged.resolve("model.safetensors"), tensors);
            copyLayout(firstDir, staged);
            MergeRecipe recipe = recipe();
            Files.writeString(staged.resolve("merge_recipe.json"), recipe.toJson(), StandardCharsets.UTF_8);
            Files.writeString(staged.resolve("README.md"), recipe.modelCard(), StandardCharsets.UTF_8);
            closeAll(open);
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty, checked above
            }
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
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

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void closeAll(List<TensorFile> open) {
        open.forEach(TensorFile::close);
        open.clear();
    }

    /** A directory with safetensors weights for each ingredient; presets and ONNX-only directories are saved first. */
    private List<Path> resolveSources(Path work) {
        Map<String, Path> done = new LinkedHashMap<>();
        List<Path> out = new ArrayList<>();
        for (MergeIngredient ing : ingredients) {
            Path d = done.get(ing.source());
            if (d == null) {
                Path p = Path.of(ing.source());
                if (Files.isDirectory(p)) {
                    p = HfCache.resolveSnapshot(p);
                }
                if (Files.isDirectory(p) && (Files.isRegularFile(p.resolve("model.safetensors"))
                        || Files.isRegularFile(p.resolve("model.safetensors.index.json")))) {
                    d = p;
                } else {
                    d = work.resolve("source-" + done.size());
                    try (BgeModel m = BgeModel.load(ing.source())) {
                        m.save(d);
                    }
                }
                done.put(ing.source(), d);
            }
            out.add(d);
        }
        return out;
    }

    private static byte[] readTokenizer(Path dir) throws IOException {
        Path t = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(t)) {
            throw new ModelFormatException("tokenizer.json not found in " + dir + "; it is needed to check that the"
                    + " models share one vocabulary");
        }
        return Files.readAllBytes(t);
    }

    /** Where one tensor lives. */
    private record Located(TensorFile file, TensorFile.Entry entry) {}

    private static Map<String, Located> tensorsOf(Path dir, String source, List<TensorFile> open) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            files.add(dir.resolve("model.safetensors"));
        } else {
            JsonNode map = JSON.readTree(dir.resolve("model.safetensors.index.json").toFile()).path("weight_map");
            TreeSet<String> shards = new TreeSet<>();
            map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
            for (String s : shards) {
                files.add(dir.resolve(s));
            }
        }
        Map<String, Located> out = new TreeMap<>();
        for (Path f : files) {
            TensorFile tf = TensorFile.open(f);
            open.add(tf);
            for (TensorFile.Entry e : tf.entries().values()) {
                if (out.put(e.name(), new Located(tf, e)) != null) {
                    throw new ModelFormatException(source + ": tensor '" + e.name() + "' appears in two shards");
                }
            }
        }
        return out;
    }

    /** @return {merged, copied} tensor counts */
    private int[] writeMerged(Path file, List<Map<String, Located>> tensors) {
        Map<String, Located> first = tensors.get(0);
        for (int i = 1; i < tensors.size(); i++) {
            Map<String, Located> other = tensors.get(i);
            String name = ingredients.get(i).source();
            for (Map.Entry<String, Located> e : first.entrySet()) {
                Located o = other.get(e.getKey());
                if (o == null) {
                    throw new ModelFormatException("cannot merge " + name + ": it has no tensor '" + e.getKey()
                            + "' (which " + ingredients.get(0).source() + " has)");
                }
                TensorFile.Entry a = e.getValue().entry();
                if (!Arrays.equals(a.shape(), o.entry().shape()) || a.floating() != o.entry().floating()) {
                    throw new ModelFormatException("cannot merge " + name + ": tensor '" + e.getKey() + "' is "
                            + o.entry().dtype() + Arrays.toString(o.entry().shape()) + " but " + a.dtype()
                            + Arrays.toString(a.shape()) + " in " + ingredients.get(0).source());
                }
            }
            for (String n : other.keySet()) {
                if (!first.containsKey(n)) {
                    throw new ModelFormatException("cannot merge " + name + ": it has a tensor '" + n + "' that "
                            + ingredients.get(0).source() + " lacks");
                }
            }
        }
        // header: float tensors become F32, others keep their dtype; sorted by name
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        int merged = 0;
        for (Map.Entry<String, Located> e : first.entrySet()) {
            TensorFile.Entry t = e.getValue().entry();
            long count = TensorData.elementCount(t.shape());
            long bytes = t.floating() ? 4 * count : t.bytes();
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", t.floating() ? "F32" : t.dtype());
            h.put("shape", t.shape());
            h.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), h);
            offset += bytes;
            merged += t.floating() ? 1 : 0;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] h = Arrays.copyOf(json, padded);
        Arrays.fill(h, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, os -> {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            os.write(h);
            for (Map.Entry<String, Located> e : first.entrySet()) {
                TensorFile.Entry t = e.getValue().entry();
                if (!t.floating()) {
                    e.getValue().file().copyRaw(t, os);
                    continue;
                }
                double[] acc = new double[Math.toIntExact(TensorData.elementCount(t.shape()))];
                for (int i = 0; i < tensors.size(); i++) {
                    Located l = tensors.get(i).get(e.getKey());
                    l.file().accumulate(l.entry(), ingredients.get(i).weight(), acc);
                }
                writeFloats(os, acc);
            }
        });
        return new int[] {merged, first.size() - merged};
    }

    private static void writeFloats(OutputStream os, double[] acc) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : acc) {
            if (bb.remaining() < 4) {
                os.write(bb.array(), 0, bb.position());
                bb.clear();
            }
            bb.putFloat((float) v);
        }
        os.write(bb.array(), 0, bb.position());
    }

    private static void copyLayout(Path from, Path to) throws IOException {
        for (String f : LAYOUT_FILES) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                Path dst = to.resolve(f);
                Files.createDirectories(dst.getParent());
                Files.copy(src, dst);
            }
        }
        if (Files.isDirectory(from.resolve("2_Normalize"))) {
            Files.createDirectories(to.resolve("2_Normalize"));
        }
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
