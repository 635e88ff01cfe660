package io.bge4j.examples.cli;

import io.bge4j.core.BgeEmbedder;
import io.bge4j.core.onnx.OnnxExportOptions;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options every inference command shares ({@code --backend}, {@code --threads}, {@code --onnx-precision}, {@code --no-progress}, {@code --dimension}), as one
 * picocli mixin, and how they configure an embedder builder.
 *
 * <p>Usage: {@code @Mixin InferenceOptions inference; ... inference.apply(model.embedder(), err).build()}
 */
final class InferenceOptions {

    @Option(names = "--backend", paramLabel = "auto|torch|onnx", defaultValue = "auto",
            description = "Inference engine: onnx (ONNX Runtime on an in-memory fused export), torch (libtorch), or"
                    + " auto = onnx on CPU, torch on GPU (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", paramLabel = "<N>",
            description = "ONNX Runtime threads (default: the available processors).")
    Integer threads;

    @Option(names = "--onnx-precision", paramLabel = "fp32|fp16|int8", defaultValue = "fp32",
            description = "Weights of the ONNX Runtime graph; int8 is faster, see docs/onnx.md for its retrieval cost"
                    + " (default: ${DEFAULT-VALUE}).")
    String onnxPrecision;

    @Option(names = "--no-progress", description = "Do not report encoding progress on standard error.")
    boolean noProgress;

    @Option(names = "--dimension", paramLabel = "<D>",
            description = "Matryoshka truncation: keep the first D components of every vector, re-normalised"
                    + " (default: the full vector). Use a dimension the model was trained for (docs/training.md).")
    Integer dimension;

    /**
     * @param b an embedder builder
     * @param err where progress goes
     * @return the same builder, configured
     */
    BgeEmbedder.Builder apply(BgeEmbedder.Builder b, PrintWriter err) {
        b.backend(BgeEmbedder.Backend.parse(backend));
        OnnxExportOptions.Precision p;
        try {
            p = OnnxExportOptions.Precision.valueOf(onnxPrecision.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--onnx-precision must be fp32, fp16 or int8, was '" + onnxPrecision + "'");
        }
        if (p != OnnxExportOptions.Precision.FP32) {
            if ("torch".equalsIgnoreCase(backend.trim())) {
                throw new IllegalArgumentException("--onnx-precision " + onnxPrecision + " needs --backend onnx or auto");
            }
            b.backend(BgeEmbedder.Backend.ONNX).onnxPrecision(p);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
            }
            b.threads(threads);
        }
        if (dimension != null) {
            if (dimension < 1) {
                throw new IllegalArgumentException("--dimension must be at least 1, was " + dimension);
            }
            b.dimension(dimension);
        }
        if (!noProgress) {
            b.progress(EncodingProgress.toStderr(err));
        }
        return b;
    }
}
