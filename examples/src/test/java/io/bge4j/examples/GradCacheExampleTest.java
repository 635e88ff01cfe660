package io.bge4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import io.bge4j.data.TrainingExample;
import io.bge4j.data.TrainingSet;
import io.bge4j.train.StepRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A 16-query batch in GradCache chunks of 4 texts, against the same batch without GradCache. */
class GradCacheExampleTest {

    static final String[] TOOLS = {"editor", "compiler", "debugger", "player", "viewer", "browser", "shell", "mailer",
        "scanner", "monitor", "tracker", "builder", "checker", "converter", "recorder", "launcher", "notifier",
        "indexer", "profiler", "packager"};
    static final String[] TOPICS = {"text", "images", "music", "network"};

    static TrainingSet train() {
        List<TrainingExample> out = new ArrayList<>();
        for (String tool : TOOLS) {
            String topic = TOPICS[out.size() % TOPICS.length];
            out.add(TrainingExample.of("a " + tool + " for " + topic,
                    List.of("this package provides a small " + tool + " that works with " + topic),
                    List.of("a library of " + topic + " helpers without any " + tool,
                            "documentation about " + tool + " plugins")));
        }
        return TrainingSet.of("tools", out);
    }

    static List<String> vocab() {
        List<String> v = new ArrayList<>();
        for (TrainingExample e : train()) {
            v.add(e.query());
            v.addAll(e.positives());
            v.addAll(e.negatives());
        }
        return v;
    }

    static GradCacheExample.Outcome run(int chunk, StringWriter sw) {
        try (BgeModel model = TinyModels.bert(vocab(), 21, 0.0)) {
            return GradCacheExample.run(model, train(), 16, chunk, 3, 3, 4, new PrintWriter(sw));
        }
    }

    @Test
    void printsFiniteLossesForEveryStepAndMatchesFullBatchTraining() {
        StringWriter cached = new StringWriter();
        GradCacheExample.Outcome r = run(4, cached);
        assertEquals(3, r.losses().size());
        assertEquals(3, r.training().stepsTaken());
        for (double l : r.losses()) {
            assertTrue(Double.isFinite(l) && l > 0, "loss " + l);
        }
        String out = cached.toString();
        assertTrue(out.contains("GradCache chunks of 4 texts"), out);
        for (int s = 1; s <= 3; s++) {
            assertTrue(out.contains(String.format("step %d/3 loss %.4f", s, r.losses().get(s - 1))), out);
        }

        // GradCache changes memory use, not the mathematics: same losses and gradient norms as plain back-prop
        GradCacheExample.Outcome plain = run(0, new StringWriter());
        assertEquals(3, plain.losses().size());
        for (int s = 0; s < 3; s++) {
            StepRecord a = r.training().steps().get(s);
            StepRecord b = plain.training().steps().get(s);
            assertEquals(b.loss(), a.loss(), 1e-3 * Math.max(1, b.loss()), "loss of step " + (s + 1));
            assertEquals(b.gradNorm(), a.gradNorm(), 1e-2 * Math.max(1, b.gradNorm()), "grad norm of step " + (s + 1));
        }
    }
}
