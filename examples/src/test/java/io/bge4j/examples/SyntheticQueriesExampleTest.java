package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.quality.FilterStep;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole synthetic pipeline against the built-in stub LLM with a tiny random model. */
class SyntheticQueriesExampleTest {

    @Test
    void runsOfflineAndWritesFlagJsonl(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("mixed.jsonl");
        SyntheticQueriesExample.Options o = new SyntheticQueriesExample.Options(
                Path.of("../data/debian-packages-en/train.jsonl"), 12, 6, null, "stub-llm", null, out, 0.3, 7);
        StringWriter sw = new StringWriter();
        SyntheticQueriesExample.Outcome r = SyntheticQueriesExample.run(o, new PrintWriter(sw));

        assertEquals(6, r.generation().passages());
        assertEquals(6, r.generation().llmCalls());
        assertEquals(18, r.generation().queries().size(), "three queries per passage from the stub");
        FilterStep copy = r.filtered().report().steps().get(2);
        assertEquals("copy", copy.filter());
        assertEquals(6, copy.dropped(), "each stub answer's third query copies its passage");
        assertEquals(18, r.filtered().report().input());
        assertEquals(12, r.mix().report().real());
        int synth = r.mix().report().synthetic();
        assertEquals(Math.min(r.filtered().kept().size(), Math.round(12 * 0.3 / 0.7)), synth);

        TrainingSet written = TrainingSet.readJsonl(out);
        assertEquals(12 + synth, written.size());
        assertEquals(synth, written.stream().filter(e -> "synthetic".equals(e.type())).count());
        JsonNode report = new ObjectMapper().readTree(Files.readString(r.report()));
        assertEquals(12 + synth, report.get("total").asInt());
        assertEquals("length", report.get("filters").get("synthetic").get(0).get("filter").asText());
        assertEquals(r.mix().report(), io.bge4j.data.synthetic.MixReport.fromJson(Files.readString(r.report())),
                "mix-report.json reads back as the report");
        assertEquals(r.mix().report(), r.mix().trainingSet().mix().orElseThrow(),
                "the mixed set carries its report into a fine-tune");
        assertTrue(written.mix().isEmpty(), "a set read from JSONL has no mix report");
        assertTrue(sw.toString().contains("(built-in stub)"), sw.toString());

        // a second run is served from the on-disk cache
        SyntheticQueriesExample.Outcome again = SyntheticQueriesExample.run(o, new PrintWriter(new StringWriter()));
        assertEquals(0, again.generation().llmCalls());
        assertEquals(6, again.generation().cacheHits());
        assertEquals(r.mix().trainingSet().examples(), again.mix().trainingSet().examples());
    }
}
