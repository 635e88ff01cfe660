package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.beir.Qrels;
import io.bge4j.data.beir.Queries;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricsCalculator;
import io.bge4j.eval.RetrievalEvaluator;
import io.bge4j.eval.Run;
import io.bge4j.eval.TrecRunReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkRetrievalEvaluatorTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Corpus corpus;
    static Queries queries;
    static Qrels qrels;
    static Path model;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session(tmp);
        corpus = SparkFixtures.corpus(120);
        List<TrainingExample> ex = SparkFixtures.examples(corpus, 40);
        Map<String, String> q = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> r = new LinkedHashMap<>();
        List<String> texts = corpus.fullTexts();
        for (int i = 0; i < ex.size(); i++) {
            q.put("q" + i, ex.get(i).query());
            r.put("q" + i, Map.of(corpus.get(texts.indexOf(ex.get(i).positives().get(0))).id(), 1));
        }
        r.put("q-without-text", Map.of("d0", 1));     // judged but no text: skipped by both evaluators
        queries = Queries.of(q);
        qrels = Qrels.of(r);
        List<String> vocab = new ArrayList<>(texts);
        vocab.addAll(q.values());
        model = SparkFixtures.tinyModel(vocab, tmp.resolve("tiny"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static void assertSameMetrics(EvaluationResult a, EvaluationResult b) {
        assertEquals(a.metrics(), b.metrics());
        assertEquals(a.primary(), b.primary());
        assertEquals(a.counts(), b.counts());
        for (Metric m : a.metrics()) {
            assertEquals(a.mean().get(m), b.mean().get(m), 1e-9, m.toString());
        }
        assertEquals(a.perQuery().keySet(), b.perQuery().keySet());
        for (String qid : a.perQuery().keySet()) {
            for (Metric m : a.metrics()) {
                assertEquals(a.perQuery().get(qid).get(m), b.perQuery().get(qid).get(m), 1e-9, qid + " " + m);
            }
        }
    }

    @Test
    void metricsEqualRetrievalEvaluatorsOnTheSameVectors() {
        List<Metric> metrics = Metric.allAt(List.of(1, 5, 10, 50));
        try (BgeModel m = BgeModel.load(model); Embedder local = m.embedder().batchSize(16).build()) {
            EvaluationResult single = RetrievalEvaluator.builder().queries(queries).corpus(corpus).qrels(qrels)
                    .metrics(metrics).chunkSize(25).keepRun(true).build().evaluate(local);
            SparkRetrievalEvaluator spark25 = SparkRetrievalEvaluator.builder(spark).queries(queries).corpus(corpus)
                    .qrels(qrels).metrics(metrics).chunkSize(25).build();
            EvaluationResult spread = spark25.evaluate(local);
            assertSameMetrics(single, spread);
            assertEquals(40, spread.counts().evaluated());
            assertEquals(single.run().rankings(), spread.run().rankings());
            // a result that is not all zeros or all ones, so equality means something
            double ndcg = spread.mean().get(Metric.NDCG_AT_10);
            assertTrue(ndcg > 0 && ndcg < 1, "nDCG@10 " + ndcg);
        }
    }

    @Test
    void sparkEncodingAndTheTrecRunGiveTheSameMetrics() throws Exception {
        EvaluationResult single;
        try (BgeModel m = BgeModel.load(model); Embedder local = m.embedder().batchSize(1).build()) {
            single = RetrievalEvaluator.builder().queries(queries).corpus(corpus).qrels(qrels).build().evaluate(local);
        }
        SparkEmbedder emb = SparkEmbedder.builder(spark).modelPath(model.toString()).batchSize(1).build();
        EvaluationResult spread = SparkRetrievalEvaluator.builder(spark).queries(queries).corpus(corpus).qrels(qrels)
                .chunkSize(30).build().evaluate(emb);
        assertSameMetrics(single, spread);
        // the TREC run written from the Spark result, read back and scored by bge-eval, gives the same numbers
        Path file = tmp.resolve("run.trec");
        SparkRetrievalEvaluator.writeTrecRun(spread, file, "bge4j-spark");
        assertTrue(Files.readAllLines(file).get(0).endsWith(" bge4j-spark"));
        Run back = TrecRunReader.read(file);
        EvaluationResult fromFile = MetricsCalculator.builder().build().evaluate(qrels, back);
        for (Metric m : single.metrics()) {
            assertEquals(single.mean().get(m), fromFile.mean().get(m), 1e-6, m.toString());
        }
    }

    @Test
    void optionsAreCheckedAsRetrievalEvaluatorChecksThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkRetrievalEvaluator
                .builder(spark).queries(queries).corpus(corpus).qrels(qrels).searchDepth(5).build());
        assertTrue(e.getMessage().contains("searchDepth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkRetrievalEvaluator.builder(spark).corpus(corpus).qrels(qrels).build());
        assertTrue(e.getMessage().contains("queries"), e.getMessage());
    }
}
