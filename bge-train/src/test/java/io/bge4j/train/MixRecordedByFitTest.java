package io.bge4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.data.synthetic.MixReport;
import io.bge4j.data.synthetic.Mixer;
import io.bge4j.train.report.MetricsLog;
import io.bge4j.train.report.Provenance;
import io.bge4j.train.report.TrainingReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Mixer-made training set's MixReport survives into metrics.jsonl, report.html, provenance.json and the card. */
class MixRecordedByFitTest {

    @Test
    void theMixTravelsFromTheSetIntoEveryRecord(@TempDir Path out) throws Exception {
        TrainingSet real = FinetunerTest.trainingSet();
        List<TrainingExample> gen = new ArrayList<>();
        for (TrainingExample e : real) {
            gen.add(TrainingExample.builder().query(e.positives().get(0)).positives(List.of(e.query()))
                    .negatives(e.negatives()).source("synthetic-llm").type("synthetic").build());
        }
        // 8 real; a 20 % synthetic share needs round(8 * 0.2 / 0.8) = 2 of the 8 generated
        Mixer.Result mixed = Mixer.builder().add(real).add(TrainingSet.of("synthetic-llm", gen)).syntheticRatio(0.2)
                .seed(5).build().mix();
        MixReport expected = mixed.report();
        assertEquals(8, expected.real());
        assertEquals(2, expected.synthetic());
        try (BgeModel m = TinyModels.bert(FinetunerTest.allTexts(), 3)) {
            FinetuneResult r = Finetuner.builder().model(m).trainingSet(mixed.trainingSet()).batchSize(4).groupSize(2)
                    .maxSteps(2).seed(3).outputDir(out).build().fit();
            if (r.bestModel() != r.finalModel()) {
                r.bestModel().close();
            }
        }
        MixReport logged = MetricsLog.read(out.resolve("metrics.jsonl")).dataMix();
        assertEquals(expected, logged);
        assertEquals(new MixReport.SourceCount(8, 2, true), logged.sources().get("synthetic-llm"));
        assertEquals(new MixReport.SourceCount(8, 8, false), logged.sources().get("tiny"));
        String html = Files.readString(out.resolve(TrainingReport.FILE));
        assertTrue(html.contains("<th>Training data</th><td>10 examples mixed: 8 real, 2 synthetic (20.0 %"
                + " synthetic)</td>"), html);
        assertTrue(html.contains("<tr><td>synthetic-llm</td><td>synthetic</td><td>8</td><td>2</td></tr>"), html);
        Provenance p = Provenance.read(out.resolve("final/" + Provenance.FILE));
        assertEquals(expected, p.data().mix());
        String card = Files.readString(out.resolve("final/README.md"));
        assertTrue(card.contains("| Mix | 8 real, 2 synthetic (20.0 % synthetic) |"), card);
        assertTrue(card.contains("| synthetic-llm | synthetic | 8 | 2 |"), card);
    }
}
