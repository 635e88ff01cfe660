package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Chinese fine-tune on the shipped debian-packages-zh, with a tiny random model and tiny sizes. */
class ChineseFinetuneExampleTest {

    static final Path DATA = Path.of("../data/debian-packages-zh");

    @Test
    void evaluatesBaseAndTunedModelOnTheChosenTestQueries(@TempDir Path tmp) throws Exception {
        List<String> vocabTexts = new ArrayList<>(Files.readAllLines(DATA.resolve("queries.jsonl")));
        vocabTexts.addAll(Files.readAllLines(DATA.resolve("corpus.jsonl")));
        Path model = tmp.resolve("tiny-zh");
        try (BgeModel m = TinyModels.bert(vocabTexts, 17, 0.0)) {
            m.save(model);
        }
        ChineseFinetuneExample.Options o = new ChineseFinetuneExample.Options(DATA, model.toString(),
                tmp.resolve("tuned"), 16, 12, 10, 1, 4, 3, 16, 48, 1e-3, Double.NaN, 7);
        StringWriter sw = new StringWriter();
        ChineseFinetuneExample.Outcome r = ChineseFinetuneExample.run(o, new PrintWriter(sw));

        assertEquals(12, r.testQueryIds().size());
        assertEquals(12, new HashSet<>(r.testQueryIds()).size());
        for (EvaluationResult e : List.of(r.base(), r.tuned())) {
            assertEquals(12, e.counts().evaluated());
            assertEquals(new HashSet<>(r.testQueryIds()), e.perQuery().keySet());
            double ndcg = e.mean(Metric.NDCG_AT_10);
            assertTrue(ndcg >= 0 && ndcg <= 1, "nDCG@10 " + ndcg);
            // the mean is the mean over exactly the chosen queries
            double sum = 0;
            for (String q : r.testQueryIds()) {
                sum += e.value(q, Metric.NDCG_AT_10).orElseThrow();
            }
            assertEquals(sum / 12, ndcg, 1e-9);
        }
        // test queries come from the test split (q500..q699 in the shipped qrels), never from train
        Set<String> testSplit = new HashSet<>();
        for (String line : Files.readAllLines(DATA.resolve("qrels/test.tsv")).subList(1, 201)) {
            testSplit.add(line.split("\t")[0]);
        }
        assertTrue(testSplit.containsAll(r.testQueryIds()), r.testQueryIds().toString());

        assertEquals(16, r.mining().examples());
        // a random tiny model scores every document alike, so the margin check is off (NaN above)
        assertEquals(16 * 2, r.mining().negativesProduced());
        assertEquals(0, r.mining().examplesShort());
        // the mined negatives reached the trainer: no example fell back to other examples' positives
        assertTrue(r.training().diagnostics().stream().noneMatch(d -> d.code().equals("NO_NEGATIVES")),
                r.training().diagnostics().toString());
        assertTrue(r.training().stepsTaken() >= 4, "steps " + r.training().stepsTaken());
        assertTrue(r.training().steps().stream().allMatch(s -> Double.isFinite(s.loss())));
        assertTrue(Files.isRegularFile(o.output().resolve("model.safetensors")));

        String out = sw.toString();
        assertTrue(out.contains("16 training queries"), out);
        assertTrue(out.contains("12 test queries"), out);
        assertTrue(out.contains(String.format("%-12s %8.4f %8.4f", Metric.NDCG_AT_10, r.base().mean(Metric.NDCG_AT_10),
                r.tuned().mean(Metric.NDCG_AT_10))), out);
    }
}
