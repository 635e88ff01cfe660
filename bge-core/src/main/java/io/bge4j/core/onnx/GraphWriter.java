package io.bge4j.core.onnx;

import com.google.protobuf.ByteString;
import io.bge4j.core.onnx.proto.OnnxProto.AttributeProto;
import io.bge4j.core.onnx.proto.OnnxProto.GraphProto;
import io.bge4j.core.onnx.proto.OnnxProto.NodeProto;
import io.bge4j.core.onnx.proto.OnnxProto.TensorProto;
import io.bge4j.core.onnx.proto.OnnxProto.TensorShapeProto;
import io.bge4j.core.onnx.proto.OnnxProto.TypeProto;
import io.bge4j.core.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Accumulates the nodes, initializers, inputs and outputs of one ONNX graph (protobuf builders
 * generated from {@code bge4j_onnx.proto}), naming intermediate values uniquely.
 */
final class GraphWriter {

    static final String MS = "com.microsoft";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    GraphWriter(String name) {
        graph.setName(name);
    }

    GraphProto build() {
        return graph.build();
    }

    /** @return a fresh value name with the given hint */
    String fresh(String hint) {
        return hint + "_" + (counter++);
    }

    /** Declares a graph input of the given element type; a dim of -1 is symbolic ({@code names[i]}). */
    void input(String name, TensorProto.DataType type, String[] dimNames) {
        graph.addInput(valueInfo(name, type, dimNames, null));
    }

    void output(String name, TensorProto.DataType type, String[] dimNames, long[] dims) {
        graph.addOutput(valueInfo(name, type, dimNames, dims));
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, String[] dimNames, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dimNames.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dimNames[i] != null) {
                d.setDimParam(dimNames[i]);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    /** Adds a float32 initializer (raw little-endian data). */
    String floats(String name, float[] data, long... dims) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(data);
        return raw(name, TensorProto.DataType.FLOAT, bb.array(), dims);
    }

    /** Adds a float16 initializer, rounding each value to nearest-even. */
    String halfs(String name, float[] data, long... dims) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            bb.putShort(Half.fromFloat(v));
        }
        return raw(name, TensorProto.DataType.FLOAT16, bb.array(), dims);
    }

    /** Adds an int8 initializer. */
    String int8s(String name, byte[] data, long... dims) {
        return raw(name, TensorProto.DataType.INT8, data.clone(), dims);
    }

    /** Adds an int64 initializer. */
    String longs(String name, long[] data, long... dims) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(data);
        return raw(name, TensorProto.DataType.INT64, bb.array(), dims);
    }

    private String raw(String name, TensorProto.DataType type, byte[] bytes, long[] dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(bytes));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A scalar or 1-d int64 constant, as an initializer. */
    String constLongs(long... values) {
        return longs(fresh("const_i64"), values, values.length);
    }

    /** A scalar float constant (0-d). */
    String constFloat(float value) {
        return floats(fresh("const_f32"), new float[] {value});
    }

    /** Adds a node with one output, named from the op type; returns the output name. */
    String op(String opType, String domain, String[] inputs, AttributeProto... attrs) {
        String out = fresh(opType.toLowerCase(java.util.Locale.ROOT));
        node(opType, domain, inputs, new String[] {out}, attrs);
        return out;
    }

    String op(String opType, String... inputs) {
        return op(opType, "", inputs);
    }

    void node(String opType, String domain, String[] inputs, String[] outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh("n_" + opType));
        if (!domain.isEmpty()) {
            n.setDomain(domain);
        }
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
