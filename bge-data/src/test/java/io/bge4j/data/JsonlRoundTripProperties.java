package io.bge4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class JsonlRoundTripProperties {

    @Property(tries = 100)
    void writeThenReadIsIdentity(@ForAll("exampleLists") List<TrainingExample> examples) throws IOException {
        Path dir = Files.createTempDirectory("bge4j-jsonl");
        try {
            Path f = dir.resolve("set.jsonl");
            FlagJsonlWriter.writeAll(f, examples);
            JsonlReadResult r = FlagJsonlReader.builder().build().read(f);
            List<TrainingExample> expected = examples.stream().map(e -> e.withSource("set")).toList();
            assertEquals(expected, r.trainingSet().examples());
            assertEquals(examples.size(), r.report().examples());
            assertEquals(examples.size(), r.report().lines());
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** Text from ASCII (with controls, quotes, backslashes), the BMP and the astral planes; never a lone surrogate. */
    static Arbitrary<String> texts() {
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0, 0x7F);
        Arbitrary<Integer> bmp = Arbitraries.integers().between(0x80, 0xFFFF).filter(c -> c < 0xD800 || c > 0xDFFF);
        Arbitrary<Integer> astral = Arbitraries.integers().between(0x10000, 0x10FFFF);
        Arbitrary<Integer> special = Arbitraries.of((int) '"', (int) '\\', (int) '\n', (int) '\r', 0x2028, 0xFEFF, 0x1F600);
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, ascii), net.jqwik.api.Tuple.of(2, bmp),
                net.jqwik.api.Tuple.of(1, astral), net.jqwik.api.Tuple.of(2, special));
        return cp.list().ofMaxSize(12).map(l -> new String(l.stream().mapToInt(Integer::intValue).toArray(), 0, l.size()));
    }

    @Provide
    Arbitrary<List<TrainingExample>> exampleLists() {
        Arbitrary<String> text = texts();
        Arbitrary<List<Double>> scores = Arbitraries.doubles().list().ofSize(5);
        Arbitrary<TrainingExample> example = Combinators.combine(
                text, text.list().ofMinSize(1).ofMaxSize(4), text.list().ofMaxSize(5), scores, scores,
                Arbitraries.integers().between(0, 3), text.injectNull(0.5), text.injectNull(0.5))
                .as((q, pos, neg, ps, ns, withScores, prompt, type) -> new TrainingExample(q, pos, neg,
                        // teacher scores come for both lists or neither (half-specified lines are refused);
                        // scored positives without negatives may leave neg_scores out
                        withScores != 0 ? ps.subList(0, pos.size()) : null,
                        withScores != 0 && (withScores != 1 || !neg.isEmpty()) ? ns.subList(0, neg.size()) : null,
                        prompt, type, null));
        return example.list().ofMaxSize(6);
    }
}
