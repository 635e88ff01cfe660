package io.bge4j.core.weights;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.bge4j.core.ModelFormatException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weight initializers out of a BERT-style ONNX export (such as the bge-small files shipped
 * in the langchain4j artifacts) and gives them their Hugging Face names.
 *
 * <p>Exporters keep the HF names of biases, embeddings and LayerNorms but store each attention/FFN
 * weight as an anonymous {@code onnx::MatMul_N} initializer, transposed to {@code [in, out]}. This
 * importer follows the graph: the {@code MatMul} that consumes such an initializer feeds an
 * {@code Add} whose other input is a named bias ({@code ...query.bias}); the weight becomes
 * {@code ...query.weight}, transposed back to HF's {@code [out, in]}.
 *
 * <p>The protobuf is parsed as a stream with protobuf-java's {@link CodedInputStream}: tensors are
 * decoded straight into float arrays, so a 130 MB model never exists as a byte[] copy as well.
 *
 * <p>Usage: {@code Map<String, TensorData> w = OnnxWeightImporter.read(in, "bge-small-en-v1.5.onnx");}
 */
public final class OnnxWeightImporter {

    // ONNX protobuf field numbers (onnx.proto3).
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int DTYPE_FLOAT = 1;
    private static final int DTYPE_FLOAT16 = 10;
    private static final int DTYPE_BFLOAT16 = 16;
    private static final int READ_CHUNK = 1 << 20;

    private OnnxWeightImporter() {}

    private record Node(String opType, List<String> inputs, List<String> outputs) {}

    /**
     * Reads every float initializer, named as Hugging Face names it.
     *
     * @param in the ONNX file; read to the end, not closed
     * @param source a name for error messages (file or resource)
     * @return HF name → tensor, in file order; initializers that are not float (shape constants) are skipped
     * @throws ModelFormatException when the stream is not an ONNX model or a weight cannot be named
     */
    public static Map<String, TensorData> read(InputStream in, String source) {
        List<Node> nodes = new ArrayList<>();
        Map<String, TensorData> initializers = new LinkedHashMap<>();
        try {
            CodedInputStream cis = CodedInputStream.newInstance(new BufferedInputStream(in, 1 << 16));
            cis.setSizeLimit(Integer.MAX_VALUE);
            boolean sawGraph = false;
            while (true) {
                int tag = cis.readTag();
                if (tag == 0) {
                    break;
                }
                if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int len = cis.readRawVarint32();
                    int old = cis.pushLimit(len);
                    readGraph(cis, nodes, initializers, source);
                    cis.popLimit(old);
                    sawGraph = true;
                } else {
                    cis.skipField(tag);
                }
            }
            if (!sawGraph) {
                throw new ModelFormatException(source + ": not an ONNX model (no graph found)");
            }
        } catch (IOException e) {
            throw new ModelFormatException(source + ": cannot parse ONNX protobuf: " + e.getMessage(), e);
        }
        return nameWeights(nodes, initializers, source);
    }

    private static void readGraph(CodedInputStream cis, List<Node> nodes, Map<String, TensorData> inits,
            String source) throws IOException {
        while (true) {
            int tag = cis.readTag();
            if (tag == 0) {
                return;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == GRAPH_NODE && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int len = cis.readRawVarint32();
                int old = cis.pushLimit(len);
                nodes.add(readNode(cis));
                cis.popLimit(old);
            } else if (field == GRAPH_INITIALIZER
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int len = cis.readRawVarint32();
                int old = cis.pushLimit(len);
                TensorData t = readTensor(cis, source);
                cis.popLimit(old);
                if (t != null) {
                    inits.put(t.name(), t);
                }
            } else {
                cis.skipField(tag);
            }
        }
    }

    private static Node readNode(CodedInputStream cis) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String op = "";
        while (true) {
            int tag = cis.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case NODE_INPUT -> inputs.add(cis.readStringRequireUtf8());
                case NODE_OUTPUT -> outputs.add(cis.readStringRequireUtf8());
                case NODE_OP_TYPE -> op = cis.readStringRequireUtf8();
                default -> cis.skipField(tag);
            }
        }
        return new Node(op, inputs, outputs);
    }

    /** Returns null for non-float tensors (shape constants and the like). */
    private static TensorData readTensor(CodedInputStream cis, String source) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dtype = 0;
        String name = null;
        float[] data = null;
        int floatCount = 0;
        boolean external = false;
        while (true) {
            int tag = cis.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case TENSOR_DIMS -> {
                    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int old = cis.pushLimit(cis.readRawVarint32());
                        while (cis.getBytesUntilLimit() > 0) {
                            dims.add(cis.readInt64());
                        }
                        cis.popLimit(old);
                    } else {
                        dims.add(cis.readInt64());
                    }
                }
                case TENSOR_DATA_TYPE -> dtype = cis.readInt32();
                case TENSOR_NAME -> name = cis.readStringRequireUtf8();
                case TENSOR_FLOAT_DATA -> {
                    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int len = cis.readRawVarint32();
                        int old = cis.pushLimit(len);
                        float[] grown = grow(data, floatCount + len / 4);
                        while (cis.getBytesUntilLimit() > 0) {
                            grown[floatCount++] = cis.readFloat();
                        }
                        data = grown;
                        cis.popLimit(old);
                    } else {
                        data = grow(data, floatCount + 1);
                        data[floatCount++] = cis.readFloat();
                    }
                }
                case TENSOR_RAW_DATA -> {
                    int len = cis.readRawVarint32();
                    if (dtype == DTYPE_FLOAT || dtype == DTYPE_FLOAT16 || dtype == DTYPE_BFLOAT16) {
                        data = readRaw(cis, len, dtype);
                        floatCount = data.length;
                    } else {
                        cis.skipRawBytes(len);
                    }
                }
                case TENSOR_EXTERNAL_DATA -> {
                    external = true;
                    cis.skipField(tag);
                }
                default -> cis.skipField(tag);
            }
        }
        if (external) {
            throw new ModelFormatException(source + ": initializer '" + name + "' keeps its data in an external file;"
                    + " re-export the model with the weights inside the .onnx file (save_as_external_data=False)");
        }
        if (dtype != DTYPE_FLOAT && dtype != DTYPE_FLOAT16 && dtype != DTYPE_BFLOAT16) {
            return null;
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (data == null) {
            data = new float[0];
        }
        if (data.length != floatCount) {
            data = java.util.Arrays.copyOf(data, floatCount);
        }
        long expected = TensorData.elementCount(shape);
        if (expected != data.length) {
            throw new ModelFormatException(source + ": initializer '" + name + "' has dims "
                    + java.util.Arrays.toString(shape) + " but " + data.length + " values");
        }
        return new TensorData(name, shape, data);
    }

    private static float[] grow(float[] a, int size) {
        if (a == null) {
            return new float[size];
        }
        return a.length >= size ? a : java.util.Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    /** Decodes little-endian raw data in 1 MiB slices, so no second full-size byte copy exists. */
    private static float[] readRaw(CodedInputStream cis, int len, int dtype) throws IOException {
        int width = dtype == DTYPE_FLOAT ? 4 : 2;
        if (len % width != 0) {
            throw new IOException("raw_data length " + len + " is not a multiple of " + width);
        }
        float[] out = new float[len / width];
        int pos = 0;
        int remaining = len;
        while (remaining > 0) {
            int chunk = Math.min(remaining, READ_CHUNK);
            ByteBuffer bb = ByteBuffer.wrap(cis.readRawBytes(chunk)).order(ByteOrder.LITTLE_ENDIAN);
            if (width == 4) {
                bb.asFloatBuffer().get(out, pos, chunk / 4);
                pos += chunk / 4;
            } else {
                for (int i = 0; i < chunk / 2; i++) {
                    short s = bb.getShort();
                    out[pos++] = dtype == DTYPE_FLOAT16 ? HalfFloats.f16ToF32(s) : HalfFloats.bf16ToF32(s);
                }
            }
            remaining -= chunk;
        }
        return out;
    }

    private static Map<String, TensorData> nameWeights(List<Node> nodes, Map<String, TensorData> inits,
            String source) {
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        Map<String, TensorData> named = new LinkedHashMap<>();
        for (TensorData t : inits.values()) {
            if (!t.name().startsWith("onnx::")) {
                named.put(t.name(), t);
                continue;
            }
            String hfName = null;
            for (Node mm : consumers.getOrDefault(t.name(), List.of())) {
                if (!mm.opType().equals("MatMul") || mm.outputs().isEmpty()) {
                    continue;
                }
                for (Node add : consumers.getOrDefault(mm.outputs().get(0), List.of())) {
                    if (!add.opType().equals("Add")) {
                        continue;
                    }
                    for (String other : add.inputs()) {
                        if (other.endsWith(".bias") && inits.containsKey(other)) {
                            hfName = other.substring(0, other.length() - ".bias".length()) + ".weight";
                        }
                    }
                }
            }
            if (hfName == null) {
                // Anonymous tensors that are not MatMul weights (folded constants) are not parameters.
                continue;
            }
            if (named.containsKey(hfName)) {
                throw new ModelFormatException(source + ": two initializers map to '" + hfName + "'");
            }
            named.put(hfName, t.transposed2d(hfName));
        }
        return named;
    }
}
