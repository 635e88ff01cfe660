package io.bge4j.spark.example;

import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.BeirDataset;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.spark.BgeEmbeddingTransformer;
import io.bge4j.spark.SparkEmbedder;
import io.bge4j.spark.SparkExactSearch;
import io.bge4j.spark.SparkMining;
import io.bge4j.spark.SparkRetrievalEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runnable example: on the shipped Debian data set, (1) encode the corpus with the Spark ML
 * transformer and save the vectors as Parquet, (2) mine hard negatives for the training queries on
 * Spark and write FlagEmbedding JSONL and Parquet, (3) evaluate on the dev split with the Spark
 * search and write the TREC run. Runs in {@code local[2]} unless a master is given
 * (spark-submit sets one).
 *
 * <p>Usage: {@code SparkDebianExample <data dir> <output dir (must not exist)> [model] [extra docs] [max queries]};
 * see docs/spark.md for the spark-submit line.
 */
public final class SparkDebianExample {

    private SparkDebianExample() {
    }

    /**
     * @param args data dir, output dir, model (default bge-small-en-v1.5), corpus documents besides
     *     the ones the dev queries judge (default all), max training queries (default 200)
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SparkDebianExample <data dir> <output dir> [model] [max docs] [max queries]");
            return;
        }
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String model = args.length > 2 ? args[2] : "bge-small-en-v1.5";
        int maxDocs = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
        int maxQueries = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        if (Files.exists(out)) {
            System.err.println(out + " exists; give a new output directory");
            return;
        }
        Files.createDirectories(out);
        SparkConf conf = new SparkConf().setAppName("bge4j-spark-debian").setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.ui.enabled", "false");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            BeirDataset dev = BeirDataset.load(data, "dev");
            // the corpus: every document the dev queries judge, plus the first maxDocs others (all by default)
            java.util.Set<String> judged = new java.util.HashSet<>();
            dev.qrels().byQuery().values().forEach(m -> judged.addAll(m.keySet()));
            List<io.bge4j.data.beir.CorpusDocument> chosen = new ArrayList<>();
            int others = 0;
            for (io.bge4j.data.beir.CorpusDocument d : dev.corpus().documents()) {
                if (judged.contains(d.id()) || others++ < maxDocs) {
                    chosen.add(d);
                }
            }
            Corpus corpus = Corpus.of(chosen);
            java.util.Set<String> inCorpus = new java.util.HashSet<>(corpus.fullTexts());

            // 1. the corpus as a DataFrame, encoded by the transformer on the executors
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                rows.add(org.apache.spark.sql.RowFactory.create((long) i, corpus.get(i).id(), corpus.get(i).fullText()));
            }
            Dataset<Row> df = spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
                    .add("position", "long").add("id", "string").add("text", "string"));
            Dataset<Row> vectors = new BgeEmbeddingTransformer().setModelPath(model).setInputCol("text")
                    .setOutputCol("embedding").setBatchSize(32).transform(df);
            vectors.write().parquet(out.resolve("corpus-embeddings.parquet").toString());
            System.out.printf(Locale.ROOT, "encoded %d documents -> %s%n", corpus.size(),
                    out.resolve("corpus-embeddings.parquet"));

            // 2. hard negatives, mined on Spark
            List<TrainingExample> train = new ArrayList<>();
            for (TrainingExample e : TrainingSet.readJsonl(data.resolve("train.jsonl")).examples()) {
                if (train.size() < maxQueries && inCorpus.contains(e.positives().get(0))) {
                    train.add(e);
                }
            }
            SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath(model).batchSize(32).build();
            SparkExactSearch search = SparkExactSearch.builder(spark).chunkSize(Math.max(1, corpus.size() / 4)).build();
            SamplingResult mined = SparkMining.denseMiner(emb, search).rankWindow(2, 50).negativesPerQuery(7)
                    .relativeMargin(0.05).build().sample(train, corpus);
            mined.writeJsonl(out.resolve("train_minedHN.jsonl"));
            SparkMining.writeParquet(spark, mined, out.resolve("train_minedHN.parquet").toString());
            System.out.println("mined: " + mined.report().summary());

            // 3. dev evaluation with the Spark search; the TREC run is kept
            EvaluationResult r = SparkRetrievalEvaluator.builder(spark).queries(dev.queries()).corpus(corpus)
                    .qrels(dev.qrels()).chunkSize(Math.max(1, corpus.size() / 4)).build().evaluate(emb);
            SparkRetrievalEvaluator.writeTrecRun(r, out.resolve("dev.trec"), "bge4j-spark");
            System.out.printf(Locale.ROOT, "dev: %d queries, nDCG@10 %.4f, Recall@100 %.4f -> %s%n",
                    r.counts().evaluated(), r.mean().get(Metric.NDCG_AT_10), r.mean().get(Metric.RECALL_AT_100),
                    out.resolve("dev.trec"));
        } finally {
            spark.stop();
        }
    }
}
