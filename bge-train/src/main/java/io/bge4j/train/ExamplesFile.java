package io.bge4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.data.TrainingExample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The current (refreshed) examples inside a checkpoint: one JSON object per line, every field kept. */
final class ExamplesFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExamplesFile() {}

    static void write(Path file, List<TrainingExample> examples) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (TrainingExample e : examples) {
                ObjectNode j = JSON.createObjectNode();
                j.put("query", e.query());
                e.positives().forEach(j.putArray("pos")::add);
                e.negatives().forEach(j.putArray("neg")::add);
                if (e.positiveScores() != null) {
                    e.positiveScores().forEach(j.putArray("pos_scores")::add);
                }
                if (e.negativeScores() != null) {
                    e.negativeScores().forEach(j.putArray("neg_scores")::add);
                }
                j.put("prompt", e.prompt()).put("type", e.type()).put("source", e.source());
                w.write(j.toString());
                w.newLine();
            }
        }
    }

    static List<TrainingExample> read(Path file) throws IOException {
        List<TrainingExample> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode j = JSON.readTree(line);
            out.add(new TrainingExample(j.get("query").asText(), texts(j.get("pos")), texts(j.get("neg")),
                    scores(j.get("pos_scores")), scores(j.get("neg_scores")), text(j.get("prompt")),
                    text(j.get("type")), text(j.get("source"))));
        }
        return out;
    }

    private static List<String> texts(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(t -> out.add(t.asText()));
        return out;
    }

    private static List<Double> scores(JsonNode a) {
        if (a == null || a.isNull()) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        a.forEach(t -> out.add(t.asDouble()));
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
