package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.eval.Metric;
import io.bge4j.eval.MetricComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job with its default sizes and the real bge-small-en-v1.5: fine-tuning must beat
 * the base model on held-out test queries with a 95 % bootstrap interval above zero. About 10-15
 * minutes on 2 CPU cores, so it runs only with {@code mvn -Pslow verify}.
 */
@Tag("slow")
class QuickstartSlowTest {

    @Test
    void fineTuningGivesASignificantNdcgGain(@TempDir Path tmp) throws Exception {
        Quickstart.Options d = Quickstart.Options.defaults();
        Quickstart.Options o = new Quickstart.Options(Path.of("../data/debian-packages-en"), d.model(), tmp, d.trainQueries(),
                d.devQueries(), d.testQueries(), d.distractors(), d.epochs(), d.batchSize(), d.groupSize(),
                d.queryMaxLength(), d.passageMaxLength(), d.learningRate(), d.evaluateEvery(), d.seed());
        Quickstart.Outcome r = Quickstart.run(o, new PrintWriter(System.out, true));
        MetricComparison ndcg = r.comparison().metric(Metric.NDCG_AT_10);
        assertTrue(ndcg.ciLow() > 0, "nDCG@10 " + ndcg.base() + " -> " + ndcg.tuned() + ", 95% CI [" + ndcg.ciLow()
                + ", " + ndcg.ciHigh() + "], p = " + ndcg.pValue());
    }
}
