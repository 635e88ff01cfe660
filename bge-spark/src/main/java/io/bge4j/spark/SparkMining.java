package io.bge4j.spark;

import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.sampling.DenseNegativeMiner;
import io.bge4j.data.sampling.SampledNegative;
import io.bge4j.data.sampling.SamplingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Distributed hard-negative mining: bge-data's {@link DenseNegativeMiner} with its two expensive
 * steps on Spark — encoding (a {@link SparkEmbedder}, or any {@link Embedder}) and the exact top-k
 * search (a {@link SparkExactSearch}: queries × corpus chunks, per-chunk top-k merged into the
 * global top-k). The rank window, count, positive exclusion, absolute/relative margins, selection,
 * seeds and top-up are the single-node miner's own code, run on the driver over the merged hits,
 * so the output equals the single-node miner's on the same vectors (tested).
 *
 * <p>Usage:
 * <pre>{@code
 * SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath("/shared/models/bge-base-en-v1.5").build();
 * SamplingResult mined = SparkMining.denseMiner(emb, SparkExactSearch.builder(spark).build())
 *     .rankWindow(10, 210).negativesPerQuery(15).relativeMargin(0.05).build().sample(train, corpus);
 * mined.writeJsonl(Path.of("train_minedHN.jsonl"));
 * }</pre>
 */
public final class SparkMining {

    private SparkMining() {
    }

    /**
     * @param embedder encodes queries, positives and corpus (a {@link SparkEmbedder} to encode on the cluster)
     * @param search the distributed top-k search
     * @return a miner builder wired to both; set the mining options on it and call {@code build()}
     */
    public static DenseNegativeMiner.Builder denseMiner(Embedder embedder, SparkExactSearch search) {
        Objects.requireNonNull(embedder, "embedder");
        Objects.requireNonNull(search, "search");
        return DenseNegativeMiner.builder().embedder(embedder).searcher(search);
    }

    /** The schema {@link #writeParquet} writes: FlagEmbedding's fields plus each negative's provenance. */
    public static StructType parquetSchema() {
        return new StructType()
                .add("query", DataTypes.StringType, false)
                .add("pos", DataTypes.createArrayType(DataTypes.StringType, false), false)
                .add("neg", DataTypes.createArrayType(DataTypes.StringType, false), false)
                .add("neg_ids", DataTypes.createArrayType(DataTypes.StringType, false), false)
                .add("neg_ranks", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("neg_scores", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("prompt", DataTypes.StringType, true);
    }

    /**
     * Writes mined examples as Parquet (one row per example, {@link #parquetSchema()}), for
     * pipelines that continue in Spark. Refuses to overwrite: Spark's error names the existing path.
     *
     * @param spark the session
     * @param result the miner's result
     * @param path the output directory (must not exist)
     */
    public static void writeParquet(SparkSession spark, SamplingResult result, String path) {
        List<Row> rows = new ArrayList<>(result.examples().size());
        for (int i = 0; i < result.examples().size(); i++) {
            TrainingExample e = result.examples().get(i);
            List<SampledNegative> prov = result.provenance().isEmpty() ? List.of() : result.provenance().get(i);
            List<String> ids = new ArrayList<>();
            List<Integer> ranks = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            for (SampledNegative n : prov) {
                ids.add(n.docId());
                ranks.add(n.rank());
                scores.add(n.score());
            }
            rows.add(RowFactory.create(e.query(), e.positives().toArray(new String[0]),
                    e.negatives().toArray(new String[0]), ids.toArray(new String[0]), ranks.toArray(new Integer[0]),
                    scores.toArray(new Double[0]), e.prompt()));
        }
        spark.createDataFrame(rows, parquetSchema()).coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(path);
    }
}
