package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.FlagJsonlWriter;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.StepRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distillation from the sample file's teacher scores, against the same file without scores. */
class DistillationExampleTest {

    static DistillationExample.Outcome run(Path file, List<String> vocab, StringWriter sw) {
        try (BgeModel model = TinyModels.bert(vocab, 13, 0.0)) {
            return DistillationExample.run(model, file, 4, 4, 2, 1.0, 3, new PrintWriter(sw));
        }
    }

    @Test
    void teacherScoresAddAPositiveDistillationTerm(@TempDir Path tmp) throws Exception {
        Path file = DistillationExample.writeSampleFile(tmp);
        String json = Files.readString(file);
        assertEquals(8, json.lines().count());
        assertTrue(json.contains("\"pos_scores\"") && json.contains("\"neg_scores\""), json);
        TrainingSet read = TrainingSet.readJsonl(file);
        List<String> vocab = new ArrayList<>();
        for (TrainingExample e : read) {
            assertTrue(e.hasTeacherScores());
            assertEquals(3, e.negativeScores().size());
            // the positive is the teacher's favourite
            assertTrue(e.positiveScores().get(0) > e.negativeScores().stream().mapToDouble(d -> d).max().orElseThrow());
            vocab.add(e.query());
            vocab.addAll(e.positives());
            vocab.addAll(e.negatives());
        }

        StringWriter sw = new StringWriter();
        DistillationExample.Outcome kd = run(file, vocab, sw);
        assertEquals(8, kd.train().size());
        assertEquals(2, kd.training().steps().size());
        for (StepRecord s : kd.training().steps()) {
            assertTrue(Double.isFinite(s.distillationLoss()) && s.distillationLoss() > 0, "kd " + s.distillationLoss());
            assertEquals(s.contrastiveLoss() + s.distillationLoss(), s.loss(), 1e-4 * Math.max(1, s.loss()));
        }
        assertTrue(kd.meanDistillationLoss() > 0);
        String out = sw.toString();
        assertTrue(out.contains("8 examples, 8 with teacher scores"), out);
        StepRecord first = kd.training().steps().get(0);
        assertTrue(out.contains(String.format("step 1 loss %.4f = contrastive %.4f + distillation %.4f", first.loss(),
                first.contrastiveLoss(), first.distillationLoss())), out);

        // the same examples without scores: no distillation term, and the same contrastive loss at step 1
        Path plainFile = tmp.resolve("plain.jsonl");
        List<TrainingExample> plain = new ArrayList<>();
        read.forEach(e -> plain.add(TrainingExample.of(e.query(), e.positives(), e.negatives())));
        FlagJsonlWriter.writeAll(plainFile, plain);
        StringWriter sw2 = new StringWriter();
        DistillationExample.Outcome none = run(plainFile, vocab, sw2);
        assertTrue(sw2.toString().contains("8 examples, 0 with teacher scores"), sw2.toString());
        for (StepRecord s : none.training().steps()) {
            assertEquals(0.0, s.distillationLoss());
        }
        assertEquals(0.0, none.meanDistillationLoss());
        assertEquals(first.contrastiveLoss(), none.training().steps().get(0).contrastiveLoss(), 1e-4);
    }
}
