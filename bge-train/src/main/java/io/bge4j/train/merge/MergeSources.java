package io.bge4j.train.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.HfCache;
import io.bge4j.core.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The inputs of a streamed merge: a safetensors directory per ingredient, the checks that the models
 * share one architecture, vocabulary and set of tensors, and where each tensor lives in their files.
 */
final class MergeSources {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one tensor lives. */
    record Located(TensorFile file, TensorFile.Entry entry) {}

    private MergeSources() {}

    /**
     * A directory with safetensors weights for each ingredient; presets and ONNX-only directories are saved
     * first, under {@code work}, one model at a time.
     */
    static List<Path> resolve(List<MergeIngredient> ingredients, Path work) {
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

    /** @throws ModelFormatException when a model's config or vocabulary differs from the first model's */
    static void checkModels(List<MergeIngredient> ingredients, List<Path> dirs) throws IOException {
        String firstName = ingredients.get(0).source();
        EncoderConfig firstCfg = EncoderConfig.read(dirs.get(0).resolve("config.json"));
        byte[] firstTok = readTokenizer(dirs.get(0));
        for (int i = 1; i < dirs.size(); i++) {
            String name = ingredients.get(i).source();
            Compatibility.sameArchitecture(firstName, firstCfg, name, EncoderConfig.read(dirs.get(i).resolve("config.json")));
            Compatibility.sameVocabulary(firstName, firstTok, name, readTokenizer(dirs.get(i)));
        }
    }

    /**
     * @throws ModelFormatException naming the first tensor a model lacks, has in another shape or kind, or
     *     has in addition to the first model
     */
    static void checkTensors(List<MergeIngredient> ingredients, List<Map<String, Located>> tensors) {
        Map<String, Located> first = tensors.get(0);
        String firstName = ingredients.get(0).source();
        for (int i = 1; i < tensors.size(); i++) {
            Map<String, Located> other = tensors.get(i);
            String name = ingredients.get(i).source();
            for (Map.Entry<String, Located> e : first.entrySet()) {
                Located o = other.get(e.getKey());
                if (o == null) {
                    throw new ModelFormatException("cannot merge " + name + ": it has no tensor '" + e.getKey()
                            + "' (which " + firstName + " has)");
                }
                TensorFile.Entry a = e.getValue().entry();
                if (!Arrays.equals(a.shape(), o.entry().shape()) || a.floating() != o.entry().floating()) {
                    throw new ModelFormatException("cannot merge " + name + ": tensor '" + e.getKey() + "' is "
                            + o.entry().dtype() + Arrays.toString(o.entry().shape()) + " but " + a.dtype()
                            + Arrays.toString(a.shape()) + " in " + firstName);
                }
            }
            for (String n : other.keySet()) {
                if (!first.containsKey(n)) {
                    throw new ModelFormatException("cannot merge " + name + ": it has a tensor '" + n + "' that "
                            + firstName + " lacks");
                }
            }
        }
    }

    /**
     * The tensors of a model directory (one file or a sharded index), sorted by name; every file opened is
     * added to {@code open} for the caller to close.
     */
    static Map<String, Located> tensorsOf(Path dir, String source, List<TensorFile> open) throws IOException {
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

    private static byte[] readTokenizer(Path dir) throws IOException {
        Path t = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(t)) {
            throw new ModelFormatException("tokenizer.json not found in " + dir + "; it is needed to check that the"
                    + " models share one vocabulary");
        }
        return Files.readAllBytes(t);
    }
}
