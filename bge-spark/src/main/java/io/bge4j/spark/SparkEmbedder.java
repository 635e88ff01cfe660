package io.bge4j.spark;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.Embedder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * An {@link Embedder} whose work runs on a Spark cluster: the texts are cut into
 * {@code partitions} contiguous slices, each task encodes its slice with the executor's cached
 * model (the same per-partition code as {@link BgeEmbeddingTransformer}), and the vectors come back
 * to the driver in input order. It lets every bge4j component that takes an {@code Embedder}
 * (the dense miner, the evaluators, the dynamic sampler) encode over a cluster unchanged.
 *
 * <p>The driver holds the texts and the returned vectors ({@code n × d × 4} bytes); for corpora
 * that should never reach the driver, use {@link BgeEmbeddingTransformer} on a DataFrame and
 * {@link SparkExactSearch#search(io.bge4j.core.search.EmbeddingMatrix, org.apache.spark.sql.Dataset,
 * String, String, int, io.bge4j.core.search.Exclusions)}. Nothing is held between calls: close()
 * frees nothing (the executors' models are a cache closed at JVM exit).
 *
 * <p>Usage:
 * <pre>{@code
 * try (Embedder emb = SparkEmbedder.builder(spark).modelPath("/shared/models/bge-small-en-v1.5").build()) {
 *     float[][] d = emb.encodeCorpus(passages);
 * }
 * }</pre>
 */
public final class SparkEmbedder implements Embedder {
    private final SparkSession spark;
    private final String modelPath;
    private final int batchSize;
    private final int maxLength;
    private final String queryInstruction;
    private final int partitions;
    private final int sortWindow;
    private int dimension = -1;
    private String fingerprint;

    private SparkEmbedder(Builder b) {
        this.spark = b.spark;
        this.modelPath = b.modelPath;
        this.batchSize = b.batchSize;
        this.maxLength = b.maxLength;
        this.queryInstruction = b.queryInstruction;
        this.partitions = b.partitions;
        this.sortWindow = b.sortWindow;
    }

    /**
     * @param spark the session whose cluster does the encoding (used, not owned)
     * @return a builder: batch 32, the model's max length and instruction, the session's default
     *     parallelism, sort windows of 4,096 texts
     */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /** @return the model path or preset name the executors load */
    public String modelPath() {
        return modelPath;
    }

    @Override
    public float[][] encodeQueries(List<String> queries) {
        return run(queries, true);
    }

    @Override
    public float[][] encodeCorpus(List<String> documents) {
        return run(documents, false);
    }

    @Override
    public float[][] encode(List<String> texts) {
        return run(texts, false);
    }

    private float[][] run(List<String> texts, boolean query) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
        }
        if (texts.isEmpty()) {
            return new float[0][];
        }
        PartitionEncoder enc = new PartitionEncoder(modelPath, query, queryInstruction, batchSize, maxLength,
                sortWindow, false, 0, "text");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, Math.min(texts.size(),
                partitions > 0 ? partitions : spark.sparkContext().defaultParallelism()));
        final int window = sortWindow;
        List<float[][]> blocks = jsc.parallelize(new ArrayList<>(texts), slices).mapPartitions(it -> {
            List<float[][]> out = new ArrayList<>();
            List<String> buf = new ArrayList<>(window);
            while (it.hasNext()) {
                buf.add(it.next());
                if (buf.size() == window || !it.hasNext()) {
                    out.add(enc.encode(buf));
                    buf = new ArrayList<>(window);
                }
            }
            return out.iterator();
        }).collect();
        float[][] result = new float[texts.size()][];
        int i = 0;
        for (float[][] b : blocks) {
            for (float[] v : b) {
                result[i++] = v;
            }
        }
        if (i != texts.size()) {
            throw new Bge4jException("the cluster returned " + i + " vectors for " + texts.size() + " texts");
        }
        return result;
    }

    @Override
    public synchronized int dimension() {
        if (dimension < 0) {
            dimension = run(List.of(""), false)[0].length;
        }
        return dimension;
    }

    /**
     * SHA-256 over the settings that change vectors and, when the model path is a local directory,
     * every file under it (so re-saved weights give a new fingerprint); for a preset name, over the
     * name.
     */
    @Override
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(("spark|" + modelPath + "|" + maxLength + "|" + queryInstruction)
                        .getBytes(StandardCharsets.UTF_8));
                Path dir = Paths.get(modelPath);
                if (Files.isDirectory(dir)) {
                    List<Path> files;
                    try (Stream<Path> s = Files.walk(dir)) {
                        files = s.filter(Files::isRegularFile).sorted().toList();
                    }
                    byte[] buf = new byte[1 << 16];
                    for (Path f : files) {
                        md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                        try (InputStream in = Files.newInputStream(f)) {
                            for (int r; (r = in.read(buf)) > 0; ) {
                                md.update(buf, 0, r);
                            }
                        }
                    }
                }
                fingerprint = HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read model files under " + modelPath + " to fingerprint them", e);
            }
        }
        return fingerprint;
    }

    /** Nothing to free on the driver. */
    @Override
    public void close() {
        // executors' models are cached per JVM (ExecutorModels) and closed at JVM exit
    }

    /**
     * Options of a {@link SparkEmbedder}; {@link #build()} validates them and names the bad one.
     *
     * <p>Usage: {@code SparkEmbedder.builder(spark).modelPath(dir).batchSize(64).partitions(32).build()}
     */
    public static final class Builder {
        private final SparkSession spark;
        private String modelPath;
        private int batchSize = 32;
        private int maxLength;
        private String queryInstruction;
        private int partitions;
        private int sortWindow = 4096;

        private Builder(SparkSession spark) {
            this.spark = spark;
        }

        /** @param path a model directory every executor can read, or a preset name (required) @return this */
        public Builder modelPath(String path) {
            this.modelPath = path;
            return this;
        }

        /** @param n texts per forward pass, at least 1 @return this */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** @param n tokens per text (0, the default: the model's maximum) @return this */
        public Builder maxLength(int n) {
            this.maxLength = n;
            return this;
        }

        /** @param instruction query instruction (null, the default: the model's; "" for none) @return this */
        public Builder queryInstruction(String instruction) {
            this.queryInstruction = instruction;
            return this;
        }

        /** @param n tasks per call (0, the default: the session's default parallelism) @return this */
        public Builder partitions(int n) {
            this.partitions = n;
            return this;
        }

        /** @param n texts sorted by length together in a task, at least 1 @return this */
        public Builder sortWindow(int n) {
            this.sortWindow = n;
            return this;
        }

        /**
         * @return the embedder
         * @throws IllegalArgumentException naming the bad option
         */
        public SparkEmbedder build() {
            Objects.requireNonNull(spark, "spark session");
            if (modelPath == null || modelPath.isBlank()) {
                throw new IllegalArgumentException("modelPath is required: a directory every executor can read, or a preset"
                        + " name such as bge-small-en-v1.5");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
            }
            if (maxLength != 0 && maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be 0 (the model's) or at least 2, was " + maxLength);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 0 (0: default parallelism), was " + partitions);
            }
            if (sortWindow < 1) {
                throw new IllegalArgumentException("sortWindow must be at least 1, was " + sortWindow);
            }
            return new SparkEmbedder(this);
        }
    }
}
