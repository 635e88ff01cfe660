package io.bge4j.examples.cli;

import io.bge4j.core.BgeModel;
import io.bge4j.core.onnx.OnnxExportOptions;
import io.bge4j.core.onnx.OnnxExporter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bge4j export}: writes a model as {@code model.onnx} + {@code tokenizer.json}, the layout ONNX Runtime and
 * langchain4j's {@code OnnxEmbeddingModel} (PoolingMode.CLS) load.
 *
 * <p>Usage: {@code java -jar examples/target/bge4j.jar export --model runs/demo/model --output runs/demo/onnx --int8}
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Export a model to ONNX (model.onnx, tokenizer.json, bge4j-onnx.json). Outputs"
                + " last_hidden_state and sentence_embedding (pooled, normalised).")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<preset|dir>", description = "Preset name or model directory.")
    String model;

    @Option(names = "--output", required = true, paramLabel = "<dir>",
            description = "Output directory (created; must not hold model files bge4j did not write).")
    Path output;

    @ArgGroup(exclusive = true)
    PrecisionFlags precision = new PrecisionFlags();

    static final class PrecisionFlags {
        @Option(names = "--fp16", description = "float16 weights (half the file), float32 compute.")
        boolean fp16;

        @Option(names = "--int8", description = "int8 MatMul weights, activations quantised at run time (fastest on CPU).")
        boolean int8;
    }

    @Option(names = "--plain", description = "Standard ONNX operators only (no com.microsoft fused operators), for"
            + " runtimes other than ONNX Runtime.")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        OnnxExportOptions o = OnnxExportOptions.defaults()
                .withPrecision(precision.int8 ? OnnxExportOptions.Precision.INT8
                        : precision.fp16 ? OnnxExportOptions.Precision.FP16 : OnnxExportOptions.Precision.FP32)
                .withGraph(plain ? OnnxExportOptions.Graph.PLAIN : OnnxExportOptions.Graph.FUSED);
        PrintWriter out = spec.commandLine().getOut();
        try (BgeModel m = BgeModel.load(model)) {
            Path file = OnnxExporter.export(m, output, o);
            out.printf("exported %s (%s, %s graph, %d MiB) -> %s%n", m.name(), o.precision().name().toLowerCase(),
                    o.graph().name().toLowerCase(), Files.size(file) >> 20, output);
        }
        out.flush();
        return 0;
    }
}
