package io.bge4j.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verdict.md / verdict.json from hand-made per-query scores: improved, flat, regressed, and a merge case. */
class VerdictReportTest {

    private static final Metric M = Metric.NDCG_AT_10;
    private static final ObjectMapper JSON = new ObjectMapper();

    static EvaluationResult result(String name, double... perQuery) {
        Map<String, Map<Metric, Double>> pq = new LinkedHashMap<>();
        double s = 0;
        for (int i = 0; i < perQuery.length; i++) {
            pq.put("q" + i, Map.of(M, perQuery[i]));
            s += perQuery[i];
        }
        return new EvaluationResult(name, M, List.of(M), Map.of(M, s / perQuery.length), pq,
                new QueryCounts(perQuery.length, 0, 0, 0), Map.of(), null);
    }

    /** 20 queries at 0.5. */
    static double[] flat() {
        double[] x = new double[20];
        java.util.Arrays.fill(x, 0.5);
        return x;
    }

    /** 12 queries up by 0.2, 2 down by 0.1, 6 unchanged: mean +0.11, interval above zero. */
    static double[] better() {
        double[] x = flat();
        for (int i = 0; i < 12; i++) {
            x[i] = 0.7;
        }
        x[12] = 0.4;
        x[13] = 0.4;
        return x;
    }

    /** Alternating +0.1 / −0.1: mean 0, interval around zero. */
    static double[] mixed() {
        double[] x = flat();
        for (int i = 0; i < 20; i++) {
            x[i] = i % 2 == 0 ? 0.6 : 0.4;
        }
        return x;
    }

    /** @return dev improved, no guard */
    static FinetuneVerdict aVerdict() {
        return FinetuneVerdict.of("dev", Comparison.of(result("base", flat()), result("tuned", better())), Map.of(), M);
    }

    @Test
    void improvedFlatAndRegressedWithCounts(@TempDir Path dir) throws Exception {
        EvaluationResult base = result("base", flat());
        Comparison up = Comparison.of(base, result("tuned", better()));
        Comparison none = Comparison.of(base, result("tuned", mixed()));
        Comparison down = Comparison.of(result("base", better()), result("tuned", flat()));
        FinetuneVerdict v = FinetuneVerdict.of("dev", up, new LinkedHashMap<>(Map.of("flat-guard", none)), M);
        String md = VerdictReport.markdown(v, "bge4j evaluate --model a --model b --data d");
        assertTrue(md.contains("**fine-tuning helped: keep the tuned model.**"), md);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| dev | improved | ndcg@10 | 0.5000 | 0.6100 |"
                + " +0.1100 | [%+.4f, %+.4f] |", up.metric(M).ciLow(), up.metric(M).ciHigh())), md);
        assertTrue(md.contains(" | 12 | 2 | 6 |\n"), md);
        assertTrue(md.contains("| flat-guard | no significant change | ndcg@10 | 0.5000 | 0.5000 | +0.0000 |"), md);
        assertTrue(md.contains(" | 10 | 10 | 0 |\n"), md);
        assertTrue(md.contains("```\nbge4j evaluate --model a --model b --data d\n```"), md);

        FinetuneVerdict worse = FinetuneVerdict.of("dev", down, Map.of(), M);
        List<OutputFile> files = VerdictReport.write(dir, worse, null);
        assertTrue(files.stream().allMatch(f -> f.status() == OutputFile.Status.WRITTEN), files::toString);
        JsonNode j = JSON.readTree(dir.resolve(VerdictReport.JSON).toFile());
        JsonNode t = j.get("evaluators").get(0);
        assertEquals("REGRESSED", t.get("outcome").asText());
        assertEquals("target", t.get("role").asText());
        assertEquals(2, t.get("better").asInt());
        assertEquals(12, t.get("worse").asInt());
        assertEquals(6, t.get("unchanged").asInt());
        assertEquals(-0.11, t.get("delta").asDouble(), 1e-12);
        assertTrue(t.get("ci_high").asDouble() < 0);
        assertTrue(j.get("next_step").isNull());
        assertTrue(j.get("headline").asText().startsWith("fine-tuning made dev worse"));
        // a second write replaces bge4j's own files
        assertTrue(VerdictReport.write(dir, worse, null).stream().allMatch(f -> f.status() == OutputFile.Status.REPLACED));
    }

    @Test
    void mergeCaseAndForeignFilesKept(@TempDir Path dir) throws Exception {
        EvaluationResult base = result("base", flat());
        Comparison target = Comparison.of(base, result("tuned", better()));
        Comparison general = Comparison.of(result("base", better()), result("tuned", flat()));
        FinetuneVerdict v = FinetuneVerdict.of("debian test", target, Map.of("wordnet test", general), M)
                .withMerge(new MergeSuggestion(0.5, 0.80, 0.90, 0.87, 0.60, 0.595));
        Files.writeString(dir.resolve(VerdictReport.MARKDOWN), "my notes");
        List<OutputFile> files = VerdictReport.write(dir, v, null);
        assertEquals(OutputFile.Status.SKIPPED, files.get(0).status());
        assertEquals("my notes", Files.readString(dir.resolve(VerdictReport.MARKDOWN)), "a file bge4j did not write");
        assertEquals(OutputFile.Status.WRITTEN, files.get(1).status());
        JsonNode j = JSON.readTree(dir.resolve(VerdictReport.JSON).toFile());
        assertTrue(j.get("needs_merge").asBoolean());
        assertEquals("guard", j.get("evaluators").get(1).get("role").asText());
        assertEquals("REGRESSED", j.get("evaluators").get(1).get("outcome").asText());
        assertEquals(0.5, j.get("merge").get("tuned_weight").asDouble());
        String md = VerdictReport.markdown(v, null);
        assertTrue(md.contains("merge with the base at 0.50 base / 0.50 tuned (measured)"), md);
        assertTrue(!md.contains("Next step"), md);
        Files.writeString(dir.resolve(VerdictReport.JSON), "{\"schema\": \"someone-else/1\"}");
        assertEquals(OutputFile.Status.SKIPPED, VerdictReport.write(dir, v, null).get(1).status());
    }
}
