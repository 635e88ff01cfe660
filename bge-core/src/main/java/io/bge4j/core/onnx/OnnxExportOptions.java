package io.bge4j.core.onnx;

import java.util.Objects;

/**
 * How a {@link io.bge4j.core.BgeModel} is written as ONNX.
 *
 * <p>Usage: {@code OnnxExporter.export(model, dir, OnnxExportOptions.defaults().withPrecision(Precision.INT8));}
 *
 * @param graph {@link Graph#FUSED} (ONNX Runtime's {@code com.microsoft} transformer operators, the default) or
 *     {@link Graph#PLAIN} (standard ONNX operators only, opset 17, for other runtimes)
 * @param precision storage / compute precision of the weights
 * @param pooledOutput also emit {@code sentence_embedding} [batch, hidden]: the pooled (and, when the model
 *     normalises, L2-normalised) embedding, next to {@code last_hidden_state}
 */
public record OnnxExportOptions(Graph graph, Precision precision, boolean pooledOutput) {

    /** Which operator set the graph uses. */
    public enum Graph {
        /** Attention / MultiHeadAttention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization (ONNX Runtime). */
        FUSED,
        /** Only standard ONNX operators (MatMul, Softmax, LayerNormalization, Erf...): any ONNX runtime. */
        PLAIN
    }

    /** Weight precision. */
    public enum Precision {
        /** float32 weights and compute. */
        FP32,
        /**
         * float16 weights (half the file), cast to float32 inside the graph: compute stays float32, so ONNX
         * Runtime on CPU runs it as fast as FP32 and the embeddings differ only by the weight rounding.
         */
        FP16,
        /**
         * Dynamic quantisation of every encoder MatMul: int8 weights with one symmetric scale per output
         * column, activations quantised to uint8 per batch at run time; embeddings, LayerNorms and biases
         * stay float32.
         */
        INT8
    }

    /** Validates the fields. */
    public OnnxExportOptions {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(precision, "precision");
    }

    /** @return fused graph, FP32, with the pooled output */
    public static OnnxExportOptions defaults() {
        return new OnnxExportOptions(Graph.FUSED, Precision.FP32, true);
    }

    /** @param g graph kind @return a copy with it */
    public OnnxExportOptions withGraph(Graph g) {
        return new OnnxExportOptions(g, precision, pooledOutput);
    }

    /** @param p precision @return a copy with it */
    public OnnxExportOptions withPrecision(Precision p) {
        return new OnnxExportOptions(graph, p, pooledOutput);
    }

    /** @param pooled whether to emit {@code sentence_embedding} @return a copy with it */
    public OnnxExportOptions withPooledOutput(boolean pooled) {
        return new OnnxExportOptions(graph, precision, pooled);
    }
}
