package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.eval.Comparison;
import io.bge4j.eval.EvaluationResult;
import io.bge4j.eval.Metric;
import io.bge4j.eval.QueryCounts;
import io.bge4j.eval.verdict.EvaluatorVerdict;
import io.bge4j.eval.verdict.FinetuneVerdict;
import io.bge4j.eval.verdict.MergeSuggestion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's whole path on the shipped data, with a tiny random model and tiny sizes. */
class QuickstartTest {

    static final Path DATA = Path.of("../data/debian-packages-en");

    @Test
    void runsEndToEndOnTinySizes(@TempDir Path tmp) throws Exception {
        List<String> vocabTexts = Files.readAllLines(DATA.resolve("queries.jsonl")).subList(0, 400);
        Path model = tmp.resolve("tiny");
        try (BgeModel m = TinyModels.bert(vocabTexts, 1, 0.0)) {
            m.save(model);
        }
        Quickstart.Options o = new Quickstart.Options(DATA, model.toString(), tmp.resolve("out"), 24, 8, 20, 10, 1, 4,
                2, 16, 32, 1e-3, 2, 7);
        StringWriter sw = new StringWriter();
        Quickstart.Outcome r = Quickstart.run(o, new PrintWriter(sw));
        String out = sw.toString();
        assertTrue(out.contains("test: 20 queries over 30 docs"), out);
        assertEquals(20, r.base().counts().evaluated());
        assertEquals(20, r.tuned().counts().evaluated());
        double base = r.base().mean(Metric.NDCG_AT_10);
        double tuned = r.tuned().mean(Metric.NDCG_AT_10);
        assertEquals(tuned - base, r.comparison().metric(Metric.NDCG_AT_10).delta(), 1e-12);
        assertTrue(out.contains(String.format("%8.4f %8.4f", base, tuned)), out);
        assertTrue(Files.isRegularFile(r.report()));
        assertTrue(Files.readString(r.report()).contains("<svg"));
        assertTrue(Files.isRegularFile(r.modelDir().resolve("model.safetensors")));
        assertTrue(r.training().stepsTaken() > 0);

        // the verdict: the test set and the general-domain guard found next to the data, printed and written
        FinetuneVerdict v = r.verdict();
        assertEquals("debian-packages-en test", v.target().evaluator());
        assertEquals(r.comparison().metric(Metric.NDCG_AT_10), v.target().comparison());
        assertEquals(1, v.others().size());
        EvaluatorVerdict guard = v.others().get(0);
        assertEquals("wordnet-nouns-en test", guard.evaluator());
        assertEquals(500, guard.better() + guard.worse() + guard.unchanged(), "500 WordNet test queries");
        assertTrue(out.contains(v.render()), out);
        assertTrue(out.contains("[1/4] evaluating the base model on test and on the general-domain guard"
                + " wordnet-nouns-en test"), out);
        assertTrue(out.contains("encoded 3,000/3,000 texts"), "the quickstart's encodings show progress\n" + out);
        assertEquals(tmp.resolve("out/verdict.md"), r.verdictFile());
        String md = Files.readString(r.verdictFile());
        assertTrue(md.contains("| debian-packages-en test | " + v.target().outcome().label() + " | ndcg@10 |"), md);
        assertTrue(md.contains("| wordnet-nouns-en test | " + guard.outcome().label() + " | ndcg@10 |"), md);
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("out/verdict.json").toFile());
        assertEquals(v.target().comparison().ciLow(), j.get("evaluators").get(0).get("ci_low").asDouble(), 1e-12);
        assertEquals(guard.worse(), j.get("evaluators").get(1).get("worse").asInt());
        // a regressed guard gets its merge ratio measured on the dev splits, and the verdict carries it
        assertEquals(v.needsMerge(), v.optionalMerge().isPresent(), v.render());
        v.optionalMerge().ifPresent(m -> assertTrue(out.contains(m.line()) && md.contains(m.line()), out));
    }

    @Test
    void theMergeSearchCommandIsGivenWhenTheTargetGainsAndTheGuardLoses() {
        Quickstart.Options o = new Quickstart.Options(DATA, "base-model", Path.of("runs/q"), 1, 1, 1, 1, 1, 1, 1, 1,
                1, 1e-3, 1, 1);
        Comparison up = VerdictFixtures.up();
        Comparison down = VerdictFixtures.down();
        FinetuneVerdict merge = FinetuneVerdict.of("t", up, Map.of("g", down), Metric.NDCG_AT_10);
        assertEquals("# the target gained and the general-domain guard lost: measure a merge ratio with the base\n"
                + "bge4j merge --model base-model --model runs/q/model --search --data " + DATA + " --split dev"
                + " --general ../data/wordnet-nouns-en --general-split dev --max-general-drop 0.01 --output runs/q/merged",
                Quickstart.nextStep(merge, o, Path.of("runs/q/model"), Path.of("../data/wordnet-nouns-en"), true));
        MergeSuggestion measured = new MergeSuggestion(0.25, 0.80, 0.90, 0.85, 0.60, 0.595);
        assertEquals("# use the measured weights, 0.75 base / 0.25 tuned; write that merge (with its recipe):"
                + System.lineSeparator() + "bge4j merge --model base-model --weight 0.75 --model runs/q/model --weight"
                + " 0.25 --output runs/q/merged", Quickstart.nextStep(merge.withMerge(measured), o,
                Path.of("runs/q/model"), Path.of("../data/wordnet-nouns-en"), true));
        assertTrue(Quickstart.nextStep(merge.withMerge(new MergeSuggestion(0, 0.8, 0.9, 0.8, 0.6, 0.6)), o,
                Path.of("runs/q/model"), Path.of("g"), true).startsWith("# measured: no merge with the tuned model"
                + " kept the guard within 0.01 of the base; keep the base"));
        assertTrue(Quickstart.nextStep(merge.withMerge(new MergeSuggestion(1, 0.8, 0.9, 0.9, 0.6, 0.595)), o,
                Path.of("runs/q/model"), Path.of("g"), true).endsWith("within 0.01 of the base; use runs/q/model"));
        FinetuneVerdict kept = FinetuneVerdict.of("t", up, Map.of("g", up), Metric.NDCG_AT_10);
        assertEquals(null, Quickstart.nextStep(kept, o, Path.of("runs/q/model"), Path.of("g"), true));
        assertTrue(Quickstart.nextStep(FinetuneVerdict.of("t", down, Map.of(), Metric.NDCG_AT_10), o,
                Path.of("runs/q/model"), Path.of("g"), true).startsWith("# keep the base model"));
    }

    /** Hand-made per-query scores: 20 queries, 12 up by 0.2 and 2 down by 0.1 (and the reverse). */
    static final class VerdictFixtures {
        static EvaluationResult result(String name, double[] x) {
            Map<String, Map<Metric, Double>> pq = new LinkedHashMap<>();
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                pq.put("q" + i, Map.of(Metric.NDCG_AT_10, x[i]));
                s += x[i];
            }
            return new EvaluationResult(name, Metric.NDCG_AT_10, List.of(Metric.NDCG_AT_10),
                    Map.of(Metric.NDCG_AT_10, s / x.length), pq, new QueryCounts(x.length, 0, 0, 0), Map.of(), null);
        }

        static double[][] scores() {
            double[] flat = new double[20];
            java.util.Arrays.fill(flat, 0.5);
            double[] better = flat.clone();
            for (int i = 0; i < 12; i++) {
                better[i] = 0.7;
            }
            better[12] = 0.4;
            better[13] = 0.4;
            return new double[][] {flat, better};
        }

        static Comparison up() {
            return Comparison.of(result("a", scores()[0]), result("b", scores()[1]));
        }

        static Comparison down() {
            return Comparison.of(result("a", scores()[1]), result("b", scores()[0]));
        }
    }
}
