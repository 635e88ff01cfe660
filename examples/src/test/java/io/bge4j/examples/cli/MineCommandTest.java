package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.DOCS;
import static io.bge4j.examples.cli.CliTestKit.QUERIES;
import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.examples.cli.CliTestKit.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MineCommandTest {

    static final int EXAMPLES = 4;

    @TempDir
    Path tmp;

    Path model;
    Path train;
    Path corpus;

    @BeforeEach
    void setUp() throws Exception {
        model = CliTestKit.tinyModel(tmp.resolve("model"), CliTestKit.allTexts(), 3);
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < EXAMPLES; i++) {
            t.append("{\"query\": \"").append(QUERIES[i][1]).append("\", \"pos\": [\"").append(DOCS[i][1])
                    .append("\"], \"neg\": [\"stale negative\"]}\n");
        }
        train = tmp.resolve("train.jsonl");
        Files.writeString(train, t);
        corpus = CliTestKit.beir(tmp.resolve("beir"), "test", 1).resolve("corpus.jsonl");
    }

    /** For each example, the document indices ordered by the model's score for its query, best first. */
    private List<List<Integer>> rankings() {
        try (BgeModel m = BgeModel.load(model); Embedder e = m.embedder().build()) {
            List<String> qs = new ArrayList<>();
            for (int i = 0; i < EXAMPLES; i++) {
                qs.add(QUERIES[i][1]);
            }
            List<String> ds = new ArrayList<>();
            for (String[] d : DOCS) {
                ds.add(d[1]);
            }
            float[][] q = e.encodeQueries(qs);
            float[][] d = e.encodeCorpus(ds);
            List<List<Integer>> out = new ArrayList<>();
            for (int i = 0; i < EXAMPLES; i++) {
                List<Integer> order = new ArrayList<>();
                for (int j = 0; j < d.length; j++) {
                    order.add(j);
                }
                float[] qi = q[i];
                order.sort(Comparator.comparingDouble((Integer j) -> -CliTestKit.dot(qi, d[j])));
                out.add(order);
            }
            return out;
        }
    }

    private static List<String> texts(List<Integer> docIndices) {
        return docIndices.stream().map(j -> DOCS[j][1]).toList();
    }

    @Test
    void topSelectionTakesTheNearestNonPositiveDocuments() {
        Path out = tmp.resolve("mined/out.jsonl");
        Run r = run("mine", "--model", model.toString(), "--input", train.toString(), "--corpus", corpus.toString(),
                "--output", out.toString(), "--range", "0-8", "--negatives", "3", "--sample", "top");
        assertEquals(0, r.code(), r.err());
        TrainingSet mined = TrainingSet.readJsonl(out);
        assertEquals(EXAMPLES, mined.size());
        List<List<Integer>> rankings = rankings();
        for (int i = 0; i < EXAMPLES; i++) {
            TrainingExample e = mined.get(i);
            assertEquals(QUERIES[i][1], e.query());
            assertEquals(List.of(DOCS[i][1]), e.positives());
            int own = i;
            List<Integer> expected = rankings.get(i).stream().filter(j -> j != own).limit(3).toList();
            assertEquals(texts(expected), e.negatives(), "example " + i);
            assertFalse(e.negatives().contains(DOCS[i][1]), "a negative equals the positive");
        }
        assertTrue(r.out().contains("mining negatives for 4 examples from 8 documents, ranks [0, 8)"), r.out());
        assertEquals(List.of("negatives", "written:", "12", "(3", "requested", "per", "example)"),
                MetricsCommandTest.row(r.out(), "negatives"));
        assertTrue(r.out().contains("examples topped up at random:   0 (0 random negatives added)"), r.out());
        assertTrue(r.out().contains("positives skipped in rankings:  4"), r.out());
        assertTrue(r.out().contains("wrote 4 examples -> " + out), r.out());
    }

    @Test
    void shortWindowsAreToppedUpWithRandomDocumentsAndReported() {
        Path out = tmp.resolve("out.jsonl");
        Run r = run("mine", "--model", model.toString(), "--input", train.toString(), "--corpus", corpus.toString(),
                "--output", out.toString(), "--range", "0-2", "--negatives", "3", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        List<List<Integer>> rankings = rankings();
        TrainingSet mined = TrainingSet.readJsonl(out);
        long toppedUp = 0;
        for (int i = 0; i < EXAMPLES; i++) {
            List<Integer> top2 = rankings.get(i).subList(0, 2);
            int own = i;
            List<Integer> fromWindow = top2.stream().filter(j -> j != own).toList();
            toppedUp += 3 - fromWindow.size();
            List<String> negs = mined.get(i).negatives();
            assertEquals(3, negs.size());
            assertEquals(3, negs.stream().distinct().count());
            assertFalse(negs.contains(DOCS[i][1]), "a negative equals the positive");
            assertEquals(texts(fromWindow), negs.subList(0, fromWindow.size()), "window negatives first");
            for (String topped : negs.subList(fromWindow.size(), 3)) {
                assertFalse(texts(top2).contains(topped), "a topped-up document comes from outside the ranked window");
            }
        }
        assertTrue(r.out().contains("examples topped up at random:   4 (" + toppedUp + " random negatives added)"),
                r.out());
        assertTrue(r.out().contains("examples still short:           0"), r.out());
    }

    @Test
    void relativeMarginDropsEveryCandidateAboveThePositive() {
        Path out = tmp.resolve("out.jsonl");
        Run r = run("mine", "--model", model.toString(), "--input", train.toString(), "--corpus", corpus.toString(),
                "--output", out.toString(), "--range", "0-8", "--negatives", "3", "--sample", "top",
                "--relative-margin", "0");
        assertEquals(0, r.code(), r.err());
        List<List<Integer>> rankings = rankings();
        TrainingSet mined = TrainingSet.readJsonl(out);
        long dropped = 0;
        long shortCount = 0;
        for (int i = 0; i < EXAMPLES; i++) {
            List<Integer> order = rankings.get(i);
            int pos = order.indexOf(i);
            dropped += pos;
            List<Integer> below = order.subList(pos + 1, order.size()).stream().limit(3).toList();
            shortCount += below.size() < 3 ? 1 : 0;
            assertEquals(texts(below), mined.get(i).negatives(), "example " + i + ", positive at rank " + pos);
        }
        assertTrue(r.out().contains("likely false negatives dropped: " + dropped), r.out());
        assertTrue(r.out().contains("examples still short:           " + shortCount), r.out());
    }

    @Test
    void instructionOption() {
        assertNull(MineCommand.instruction("auto"));
        assertEquals("", MineCommand.instruction("none"));
        assertEquals("search: ", MineCommand.instruction("search: "));
    }

    @Test
    void badFlagsAndMissingFiles() {
        String[] base = {"mine", "--model", model.toString(), "--input", train.toString(), "--corpus",
            corpus.toString(), "--output", tmp.resolve("o.jsonl").toString()};
        Run range = run(concat(base, "--range", "20-10"));
        assertEquals(2, range.code());
        assertTrue(range.err().contains("--range needs from < to, was '20-10'"), range.err());
        assertTrue(range.err().contains("Usage: bge4j mine"), range.err());

        Run shape = run(concat(base, "--range", "10..20"));
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--range must look like from-to"), shape.err());

        Run sample = run(concat(base, "--sample", "best"));
        assertEquals(2, sample.code());
        assertTrue(sample.err().contains("--sample must be top or random, was 'best'"), sample.err());

        Run margin = run(concat(base, "--relative-margin", "1.5"));
        assertEquals(1, margin.code());
        assertTrue(margin.err().contains("error: relativeMargin must be in [0, 1)"), margin.err());

        Path none = tmp.resolve("missing-corpus.jsonl");
        Run missing = run("mine", "--model", model.toString(), "--input", train.toString(), "--corpus",
                none.toString(), "--output", tmp.resolve("o.jsonl").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("error: corpus file not found: " + none), missing.err());

        Run noOutput = run("mine", "--model", model.toString(), "--input", train.toString(), "--corpus",
                corpus.toString());
        assertEquals(2, noOutput.code());
        assertTrue(noOutput.err().contains("Missing required option: '--output=<mined.jsonl>'"), noOutput.err());
        assertFalse(Files.exists(tmp.resolve("o.jsonl")), "no output on failure");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
