package io.bge4j.examples.cli;

import static io.bge4j.examples.cli.CliTestKit.DOCS;
import static io.bge4j.examples.cli.CliTestKit.QUERIES;
import static io.bge4j.examples.cli.CliTestKit.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.examples.cli.CliTestKit.Run;
import io.bge4j.train.StepRecord;
import io.bge4j.train.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bge4j finetune --guided-masking}: the flags reach the builder and the masked count comes back. */
class GuidedMaskingCommandTest {

    @TempDir
    Path tmp;

    Path model;
    Path train;

    @BeforeEach
    void setUp() throws Exception {
        model = CliTestKit.tinyModel(tmp.resolve("model"), CliTestKit.allTexts(), 1);
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < QUERIES.length; i++) {
            t.append("{\"query\": \"").append(QUERIES[i][1]).append("\", \"pos\": [\"").append(DOCS[i][1])
                    .append("\"], \"neg\": [\"unrelated note ").append(i).append("\"]}\n");
        }
        train = tmp.resolve("train.jsonl");
        Files.writeString(train, t);
    }

    private List<String> args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--train", train.toString(),
                "--output", out.toString(), "--max-steps", "2", "--batch-size", "4", "--group-size", "2", "--lr",
                "1e-3", "--no-save-final", "--no-progress"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void guidedMaskingReportsTheMaskedCountInTheMetricsAndTheSummary() throws Exception {
        Path out = tmp.resolve("run");
        // a random tiny model scores every pair within ~1e-5, so a margin of 0.5 masks every candidate
        Run r = run(args(out, "--guided-masking", "--guide-margin", "0.5").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<StepRecord> steps = MetricsLog.read(out.resolve("metrics.jsonl")).steps();
        assertEquals(2, steps.size());
        // B = 4, G = 2: 8 candidates per query, 7 besides its positive, all masked
        for (StepRecord s : steps) {
            assertEquals(4 * 7, s.maskedCandidates(), s.toString());
        }
        assertTrue(r.out().contains("guided masking: 56 candidates masked in 2 steps"), r.out());

        Path given = tmp.resolve("given");
        Run g = run(args(given, "--guided-masking", "--guide-margin", "0.5", "--guide-margin-type", "relative",
                "--guide-model", model.toString()).toArray(String[]::new));
        assertEquals(0, g.code(), g.err());
        assertEquals(56, MetricsLog.read(given.resolve("metrics.jsonl")).steps().stream()
                .mapToLong(StepRecord::maskedCandidates).sum());

        Path plain = tmp.resolve("plain");
        assertEquals(0, run(args(plain).toArray(String[]::new)).code());
        assertTrue(MetricsLog.read(plain.resolve("metrics.jsonl")).steps().stream()
                .allMatch(s -> s.maskedCandidates() == 0));
    }

    @Test
    void badGuidedMaskingFlagsAreUsageErrors() {
        String[][] cases = {
            {"--guide-margin", "0.1"},
            {"--guided-masking", "--guide-margin-type", "sideways"},
            {"--guided-masking", "--guide-margin", "-1"},
            {"--guided-masking", "--guide-margin", "1", "--guide-margin-type", "relative"},
        };
        String[] expected = {"need --guided-masking", "--guide-margin-type must be absolute or relative",
            "--guide-margin must be a finite value >= 0", "--guide-margin must be < 1"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(args(tmp.resolve("bad" + i), cases[i]).toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", cases[i]) + "\n" + r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
        }
        Run memory = run(args(tmp.resolve("mem"), "--guided-masking", "--cross-batch-memory", "8")
                .toArray(String[]::new));
        assertEquals(1, memory.code(), memory.err());
        assertTrue(memory.err().contains("guidedMasking cannot be combined with crossBatchMemory"), memory.err());
    }
}
