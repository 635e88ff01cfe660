package io.bge4j.examples.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.BgeModel;
import io.bge4j.core.Embedder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code bge4j embed}: one text per line in, one JSON vector per non-empty line out. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed the non-empty lines of a text file. Writes JSONL {\"index\": <0-based line number>,"
                + " \"embedding\": [...]}, in input order.")
final class EmbedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Preset name (bge-small-en-v1.5, ...) or model directory.")
    String model;

    @Option(names = "--input", required = true, description = "UTF-8 text file, one text per line.")
    Path input;

    @Option(names = "--output", required = true, description = "Output JSONL file (written atomically).")
    Path output;

    @Option(names = "--queries", description = "Treat lines as queries: prepend the model's query instruction.")
    boolean queries;

    @Option(names = "--batch-size", defaultValue = "32", description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Override
    public Integer call() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("input file not found: " + input);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(input + " is not valid UTF-8");
        }
        List<String> texts = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                texts.add(lines.get(i));
                index.add(i);
            }
        }
        float[][] vectors;
        try (BgeModel m = BgeModel.load(model); Embedder e = inference.apply(m.embedder().batchSize(batchSize),
                spec.commandLine().getErr()).build()) {
            vectors = queries ? e.encodeQueries(texts) : e.encodeCorpus(texts);
        }
        float[][] v = vectors;
        AtomicFiles.write(output, os -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(os, JsonEncoding.UTF8)) {
                g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
                for (int i = 0; i < v.length; i++) {
                    g.writeStartObject();
                    g.writeNumberField("index", index.get(i));
                    g.writeFieldName("embedding");
                    g.writeStartArray();
                    for (float x : v[i]) {
                        g.writeNumber(x);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeRaw('\n');
            }
        });
        spec.commandLine().getOut().printf("embedded %d texts (%d dims) -> %s%n", vectors.length,
                vectors.length == 0 ? 0 : vectors[0].length, output);
        return 0;
    }
}
