package io.bge4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.core.search.ExactSearch;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.beir.Corpus;
import io.bge4j.data.sampling.DynamicNegativeSampler;
import io.bge4j.data.sampling.RankWindow;
import io.bge4j.data.sampling.RankWindowSchedule;
import io.bge4j.data.sampling.SamplingResult;
import io.bge4j.data.sampling.TopKSearcher;
import io.bge4j.train.FinetuneResult;
import io.bge4j.train.Finetuner;
import io.bge4j.train.TrainingDiagnostic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkNegativeRefresherTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Corpus corpus;
    static List<TrainingExample> examples;
    static List<String> vocab;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session(tmp);
        corpus = SparkFixtures.corpus(60);
        examples = SparkFixtures.examples(corpus, 16);
        vocab = new ArrayList<>(corpus.fullTexts());
        examples.forEach(e -> vocab.add(e.query()));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static DynamicNegativeSampler dynamic(TopKSearcher searcher) {
        return DynamicNegativeSampler.builder().refreshEvery(2).negativesPerQuery(3)
                .schedule(RankWindowSchedule.linear(RankWindow.of(10, 30), RankWindow.of(2, 20), 0, 4)).seed(9)
                .searcher(searcher).build();
    }

    @Test
    void reMinesOnSparkWithTheCurrentWeightsAsTheLocalSamplerDoes() {
        TopKSearcher local = (q, c, k) -> ExactSearch.builder().k(k).chunkSize(20).build().search(q, c);
        DynamicNegativeSampler single = dynamic(local);
        DynamicNegativeSampler onSpark = dynamic(SparkExactSearch.builder(spark).chunkSize(20).build());
        Path exports = tmp.resolve("exports");
        try (BgeModel m = TinyModels.bert(vocab, 7, 0.0); BgeModel other = TinyModels.bert(vocab, 8, 0.0)) {
            SparkNegativeRefresher r = SparkNegativeRefresher.builder(spark).sampler(onSpark).model(m)
                    .exportDirectory(exports).batchSize(1).build();
            assertEquals(single.sample(examples, corpus).examples(), r.sample(examples, corpus).examples());
            assertFalse(r.isDue(1));
            assertEquals(Optional.empty(), r.onStep(1, null));
            for (int step : new int[] {2, 4}) {
                if (step == 4) {
                    m.loadTensors(other.toTensors());          // "training" changed the weights
                }
                SamplingResult expected;
                try (Embedder current = m.embedder().batchSize(1).build()) {
                    expected = single.onStep(step, current).orElseThrow();
                    SamplingResult actual = r.onStep(step, current).orElseThrow();
                    assertEquals(expected.examples(), actual.examples(), "step " + step);
                    assertEquals(expected.report(), actual.report(), "step " + step);
                }
                Path dir = exports.resolve(String.format("step-%09d", step));
                assertEquals(List.of(dir), r.exports(), "only the newest export is kept");
                assertTrue(ExecutorModels.loadedPaths().contains(dir.toString()));
            }
            assertFalse(Files.exists(exports.resolve("step-000000002")), "the older export was deleted");
            assertTrue(ExecutorModels.loadedPaths().size() <= ExecutorModels.MAX_MODELS);
        }
    }

    @Test
    void refusesToWriteIntoADirectoryItDidNotCreate() throws Exception {
        Path exports = tmp.resolve("foreign");
        Files.createDirectories(exports.resolve("step-000000002"));
        Files.writeString(exports.resolve("step-000000002/keep.txt"), "not ours");
        try (BgeModel m = TinyModels.bert(vocab, 7, 0.0)) {
            SparkNegativeRefresher r = SparkNegativeRefresher.builder(spark).sampler(dynamic(TopKSearcher.exact()))
                    .model(m).exportDirectory(exports).build();
            r.sample(examples, corpus);
            Bge4jException e = assertThrows(Bge4jException.class, () -> r.onStep(2, null));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertEquals("not ours", Files.readString(exports.resolve("step-000000002/keep.txt")));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkNegativeRefresher.builder(spark).sampler(dynamic(TopKSearcher.exact())).build());
        assertTrue(e.getMessage().contains("model"), e.getMessage());
    }

    @Test
    void theTrainerRefreshesNegativesOverSparkDuringFit() {
        Path exports = tmp.resolve("fit-exports");
        try (BgeModel m = TinyModels.bert(vocab, 1, 0.0)) {
            SparkNegativeRefresher r = SparkNegativeRefresher.builder(spark)
                    .sampler(dynamic(SparkExactSearch.builder(spark).build())).model(m).exportDirectory(exports).build();
            FinetuneResult result = Finetuner.builder().model(m).trainingSet(TrainingSet.of("t", examples))
                    .negativeSampler(r, corpus).dynamicNegatives(r).batchSize(4).groupSize(3).maxSteps(5).seed(2)
                    .build().fit();
            assertEquals(5, result.stepsTaken());
            List<Long> refreshed = result.diagnostics().stream().filter(d -> d.code().equals("NEGATIVES_REFRESHED"))
                    .map(TrainingDiagnostic::step).toList();
            assertEquals(List.of(2L, 4L), refreshed);
            assertEquals(List.of(exports.resolve("step-000000004")), r.exports());
        }
    }
}
