package io.bge4j.spark;

import io.bge4j.core.AtomicFiles;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.DynamicNegativeSampler;
import io.bge4j.data.sampling.NegativeRefresher;
import io.bge4j.data.sampling.NegativeSampler;
import io.bge4j.data.sampling.SamplingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's dynamic-negatives hook, re-mining over a Spark cluster. When a refresh is due it
 * saves the weights of the model being trained (the {@link BgeModel} the {@code Finetuner} trains
 * in place) to {@code exportDirectory/step-NNNNNNNNN} — a directory every executor can read — and
 * lets a {@link DynamicNegativeSampler} re-mine with a {@link SparkEmbedder} over that export, so
 * the corpus is encoded on the executors. Give the dynamic sampler a {@link SparkExactSearch} as
 * its searcher and the search runs there too. The rank-window schedule, seeds and every mining
 * rule are the dynamic sampler's own.
 *
 * <p>The {@code current} embedder the trainer passes to {@link #onStep} is not used: it wraps the
 * same weights on the training machine, which the executors cannot reach. Only exports this
 * refresher wrote are deleted (all but the newest {@code keepExports}); it refuses to write into an
 * existing step directory.
 *
 * <p>Usage:
 * <pre>{@code
 * DynamicNegativeSampler dyn = DynamicNegativeSampler.builder().refreshEvery(1_000)
 *     .searcher(SparkExactSearch.builder(spark).build()).build();
 * SparkNegativeRefresher refresher = SparkNegativeRefresher.builder(spark).sampler(dyn).model(model)
 *     .exportDirectory(Path.of("/shared/run42/negatives-models")).build();
 * List<TrainingExample> start = refresher.sample(train, corpus).examples();
 * Finetuner.builder().model(model).trainingSet(TrainingSet.of("train", start)).dynamicNegatives(refresher)...
 * }</pre>
 */
public final class SparkNegativeRefresher implements NegativeSampler, NegativeRefresher {
    private static final Logger LOG = LoggerFactory.getLogger(SparkNegativeRefresher.class);

    private final SparkSession spark;
    private final DynamicNegativeSampler sampler;
    private final BgeModel model;
    private final Path exportDirectory;
    private final int batchSize;
    private final int maxLength;
    private final int keepExports;
    private final Deque<Path> exports = new ArrayDeque<>();

    private SparkNegativeRefresher(Builder b) {
        this.spark = b.spark;
        this.sampler = b.sampler;
        this.model = b.model;
        this.exportDirectory = b.exportDirectory;
        this.batchSize = b.batchSize;
        this.maxLength = b.maxLength;
        this.keepExports = b.keepExports;
    }

    /**
     * @param spark the session whose cluster re-mines
     * @return a builder (batch 32, the model's max length, keep the newest export)
     */
    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /** The initial negatives (the dynamic sampler's initial sampler); remembers the examples and corpus. */
    @Override
    public SamplingResult sample(List<TrainingExample> examples, Corpus corpus) {
        return sampler.sample(examples, corpus);
    }

    @Override
    public boolean isDue(int step) {
        return sampler.isDue(step);
    }

    @Override
    public synchronized Optional<SamplingResult> onStep(int step, Embedder current) {
        if (!isDue(step)) {
            return Optional.empty();
        }
        Path dir = exportDirectory.resolve(String.format(Locale.ROOT, "step-%09d", step));
        if (Files.exists(dir)) {
            throw new Bge4jException(dir + " already exists; it was not written by this refresher, so it is left alone."
                    + " Use an empty exportDirectory for each training run");
        }
        long t0 = System.nanoTime();
        model.save(dir);
        exports.addLast(dir);
        long t1 = System.nanoTime();
        SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath(dir.toString()).batchSize(batchSize)
                .maxLength(maxLength).build();
        Optional<SamplingResult> r = sampler.onStep(step, emb);
        LOG.info("step {}: exported the current weights in {} ms and re-mined on Spark in {} ms", step,
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        while (exports.size() > keepExports) {
            Path old = exports.removeFirst();
            try {
                AtomicFiles.deleteTree(old);
            } catch (IOException e) {
                LOG.warn("could not delete the old export {}: {}", old, e.toString());
            }
        }
        return r;
    }

    /** @return the exports this refresher wrote and still keeps, oldest first */
    public synchronized List<Path> exports() {
        return List.copyOf(exports);
    }

    /**
     * Options of a {@link SparkNegativeRefresher}; {@link #build()} validates them and names the bad one.
     *
     * <p>Usage: {@code SparkNegativeRefresher.builder(spark).sampler(dyn).model(m).exportDirectory(dir).build()}
     */
    public static final class Builder {
        private final SparkSession spark;
        private DynamicNegativeSampler sampler;
        private BgeModel model;
        private Path exportDirectory;
        private int batchSize = 32;
        private int maxLength;
        private int keepExports = 1;

        private Builder(SparkSession spark) {
            this.spark = spark;
        }

        /** @param sampler the schedule and mining options (give it a SparkExactSearch) (required) @return this */
        public Builder sampler(DynamicNegativeSampler sampler) {
            this.sampler = sampler;
            return this;
        }

        /** @param model the model being trained, whose current weights are exported (required) @return this */
        public Builder model(BgeModel model) {
            this.model = model;
            return this;
        }

        /** @param dir where weights are exported; every executor must be able to read it (required) @return this */
        public Builder exportDirectory(Path dir) {
            this.exportDirectory = dir;
            return this;
        }

        /** @param n texts per forward pass on the executors, at least 1 @return this */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** @param n tokens per text (0: the model's maximum); match the trainer's @return this */
        public Builder maxLength(int n) {
            this.maxLength = n;
            return this;
        }

        /** @param n exports kept on disk (older ones, written by this refresher, are deleted), at least 1 @return this */
        public Builder keepExports(int n) {
            this.keepExports = n;
            return this;
        }

        /**
         * @return the refresher
         * @throws IllegalArgumentException naming the bad option
         */
        public SparkNegativeRefresher build() {
            if (spark == null) {
                throw new IllegalArgumentException("spark session must not be null");
            }
            if (sampler == null) {
                throw new IllegalArgumentException("sampler is required: a DynamicNegativeSampler");
            }
            if (model == null) {
                throw new IllegalArgumentException("model is required: the BgeModel being trained");
            }
            if (exportDirectory == null) {
                throw new IllegalArgumentException("exportDirectory is required: a directory every executor can read");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
            }
            if (maxLength != 0 && maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be 0 (the model's) or at least 2, was " + maxLength);
            }
            if (keepExports < 1) {
                throw new IllegalArgumentException("keepExports must be at least 1, was " + keepExports);
            }
            return new SparkNegativeRefresher(this);
        }
    }
}
