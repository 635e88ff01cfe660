package io.bge4j.core.onnx;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.EncoderConfig;
import io.bge4j.core.Pooling;
import io.bge4j.core.onnx.OnnxExportOptions.Graph;
import io.bge4j.core.onnx.OnnxExportOptions.Precision;
import io.bge4j.core.onnx.proto.OnnxProto.ModelProto;
import io.bge4j.core.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.bge4j.core.onnx.proto.OnnxProto.StringStringEntryProto;
import io.bge4j.core.onnx.proto.OnnxProto.TensorProto.DataType;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@link BgeModel} (BERT or XLM-R, base or fine-tuned) as an ONNX model that ONNX Runtime and
 * langchain4j's {@code OnnxEmbeddingModel} (with {@code PoolingMode.CLS}) load.
 *
 * <p>Graph inputs: {@code input_ids}, {@code attention_mask} (int64 [batch, sequence]) and, for BERT,
 * {@code token_type_ids}. Outputs: {@code last_hidden_state} float [batch, sequence, hidden] and, with
 * {@link OnnxExportOptions#pooledOutput()}, {@code sentence_embedding} float [batch, hidden] (the model's
 * pooling, L2-normalised when the model normalises). The computation is the one of
 * {@link io.bge4j.core.nn.BertEncoder}: word + position + token-type embeddings and LayerNorm, then per
 * layer masked multi-head self-attention, residual + LayerNorm, exact (erf) GELU feed-forward, residual +
 * LayerNorm; XLM-R position ids are computed in the graph from the padding id.
 *
 * <p>The protobuf is built with classes that protoc generates from {@code bge4j_onnx.proto} (the ONNX
 * messages bge4j writes, with the specification's field numbers); weights are stored as raw
 * little-endian initializers, MatMul weights transposed to {@code [in, out]}. ONNX protobuf files are
 * limited to 2 GiB, which holds every BGE model up to bge-m3 / large in FP32.
 *
 * <p>Usage: {@code OnnxExporter.export(model, Path.of("out/onnx"), OnnxExportOptions.defaults());}
 */
public final class OnnxExporter {

    /** Name of the pooled, normalised output. */
    public static final String SENTENCE_EMBEDDING = "sentence_embedding";
    /** Name of the per-token output. */
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private static final long ONNX_OPSET = 17;
    private static final long IR_VERSION = 8;

    private OnnxExporter() {}

    /**
     * Writes {@code model.onnx} and {@code tokenizer.json} into {@code dir} (created if needed). Each file
     * is written to a temporary sibling and moved into place; an existing {@code model.onnx} or
     * {@code tokenizer.json} in {@code dir} is refused rather than overwritten unless it was written by bge4j
     * (it sits next to a {@code bge4j-onnx.json}).
     *
     * @param model the model
     * @param dir output directory
     * @param options graph kind, precision, pooled output
     * @return the path of {@code model.onnx}
     * @throws Bge4jException on an I/O error or when the directory holds foreign model files
     */
    public static Path export(BgeModel model, Path dir, OnnxExportOptions options) {
        ModelProto proto = toModel(model, options, false);
        Path d = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(d);
            boolean ours = Files.isRegularFile(d.resolve("bge4j-onnx.json"));
            for (String f : new String[] {"model.onnx", "tokenizer.json"}) {
                if (Files.exists(d.resolve(f)) && !ours) {
                    throw new Bge4jException(d.resolve(f) + " already exists and was not written by bge4j's exporter;"
                            + " choose an empty output directory");
                }
            }
            Path onnx = d.resolve("model.onnx");
            writeAtomically(onnx, out -> proto.writeTo(out));
            writeAtomically(d.resolve("tokenizer.json"), out -> out.write(model.tokenizer().tokenizerJson()));
            writeAtomically(d.resolve("bge4j-onnx.json"), out -> out.write(describe(model, options)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return onnx;
        } catch (IOException e) {
            throw new Bge4jException("cannot export ONNX model to " + d + ": " + e.getMessage(), e);
        }
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Writer w) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                w.write(out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String describe(BgeModel model, OnnxExportOptions o) {
        com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        meta(model, o).forEach(n::put);
        return n.toPrettyString();
    }

    private static Map<String, String> meta(BgeModel model, OnnxExportOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model_name", model.name());
        m.put("model_type", model.config().modelType());
        m.put("graph", o.graph().name().toLowerCase(java.util.Locale.ROOT));
        m.put("precision", o.precision().name().toLowerCase(java.util.Locale.ROOT));
        m.put("pooling", model.pooling().name().toLowerCase(java.util.Locale.ROOT));
        m.put("normalize", Boolean.toString(model.normalize()));
        m.put("query_instruction", model.queryInstruction());
        m.put("max_length", Integer.toString(model.maxLength()));
        m.put("hidden_size", Integer.toString(model.dimension()));
        return m;
    }

    /**
     * Serialises the model to ONNX bytes in memory (what {@link #export} writes as {@code model.onnx}).
     *
     * @param model the model
     * @param options graph kind, precision, pooled output
     * @return the protobuf bytes
     */
    public static byte[] toBytes(BgeModel model, OnnxExportOptions options) {
        return toModel(model, options, false).toByteArray();
    }

    /**
     * The graph bge4j's own ONNX Runtime embedder runs: only {@code sentence_embedding} is an output, and
     * with CLS pooling the last layer's feed-forward runs for the first token only (no other token's
     * vector is read), which saves that layer's largest matrix products.
     */
    static byte[] toEmbeddingBytes(BgeModel model, OnnxExportOptions options) {
        return toModel(model, options.withPooledOutput(true), true).toByteArray();
    }

    static ModelProto toModel(BgeModel model, OnnxExportOptions options, boolean embeddingOnly) {
        if (options.pooledOutput() && model.pooling() == Pooling.LAST_TOKEN) {
            throw new Bge4jException("ONNX export of the pooled output supports CLS and MEAN pooling, not "
                    + model.pooling() + "; export with pooledOutput=false and pool the last_hidden_state yourself");
        }
        Map<String, TensorData> w = model.toTensors();
        Build b = new Build(model.config(), w, options, new GraphWriter(model.name()));
        b.emit(model.pooling(), model.normalize(), options.pooledOutput(), embeddingOnly);
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("bge4j")
                .setProducerVersion("0.1.0").setModelVersion(1).setGraph(b.g.build())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(ONNX_OPSET))
                .setDocString("BGE embedding model " + model.name() + " exported by bge4j");
        if (options.graph() == Graph.FUSED || options.precision() == Precision.INT8) {
            m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(GraphWriter.MS).setVersion(1));
        }
        meta(model, options).forEach((k, v) -> m.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey("bge4j." + k).setValue(v)));
        return m.build();
    }

    /** One export: the writer, the weights, the options. */
    private static final class Build {
        final EncoderConfig c;
        final Map<String, TensorData> w;
        final OnnxExportOptions o;
        final GraphWriter g;
        final boolean fused;
        final boolean int8;

        Build(EncoderConfig c, Map<String, TensorData> w, OnnxExportOptions o, GraphWriter g) {
            this.c = c;
            this.w = w;
            this.o = o;
            this.g = g;
            this.fused = o.graph() == Graph.FUSED;
            this.int8 = o.precision() == Precision.INT8;
        }

        /** A float initializer (FP16 storage + Cast when asked). */
        String weight(String name, float[] data, long... dims) {
            if (o.precision() == Precision.FP16) {
                String h = g.halfs(name, data, dims);
                return g.op("Cast", "", new String[] {h}, GraphWriter.attr("to", (long) DataType.FLOAT.getNumber()));
            }
            return g.floats(name, data, dims);
        }

        String weight(String hfName) {
            TensorData t = tensor(hfName);
            return weight(hfName, t.data(), t.shape());
        }

        TensorData tensor(String hfName) {
            TensorData t = w.get(hfName);
            if (t == null) {
                throw new Bge4jException("model has no weight '" + hfName + "'");
            }
            return t;
        }

        /** [out, in] HF weights of one or more linears, concatenated along out, transposed to [in, sum(out)]. */
        float[] transposedConcat(String... hfNames) {
            int in = Math.toIntExact(tensor(hfNames[0]).shape()[1]);
            int total = 0;
            for (String n : hfNames) {
                total += Math.toIntExact(tensor(n).shape()[0]);
            }
            float[] t = new float[in * total];
            int col = 0;
            for (String n : hfNames) {
                TensorData td = tensor(n);
                int out = Math.toIntExact(td.shape()[0]);
                float[] d = td.data();
                for (int r = 0; r < out; r++) {
                    for (int k = 0; k < in; k++) {
                        t[k * total + col + r] = d[r * in + k];
                    }
                }
                col += out;
            }
            return t;
        }

        float[] concat(String... hfNames) {
            int total = 0;
            for (String n : hfNames) {
                total += tensor(n).data().length;
            }
            float[] out = new float[total];
            int at = 0;
            for (String n : hfNames) {
                float[] d = tensor(n).data();
                System.arraycopy(d, 0, out, at, d.length);
                at += d.length;
            }
            return out;
        }

        /**
         * x · Wᵀ (+ bias when {@code bias} is non-null) for the HF linear(s) {@code weights}; int8 when asked.
         */
        String linear(String x, String bias, String... weights) {
            float[] wt = transposedConcat(weights);
            long in = tensor(weights[0]).shape()[1];
            long out = wt.length / in;
            String stem = weights.length == 1 ? weights[0] : weights[0] + "+" + (weights.length - 1);
            if (!int8) {
                String mm = g.op("MatMul", x, weight(stem + ".T", wt, in, out));
                return bias == null ? mm : g.op("Add", mm, bias);
            }
            // symmetric per-column int8: scale_j = max_i |w_ij| / 127, q = round(w / scale)
            int cols = Math.toIntExact(out);
            float[] scale = new float[cols];
            for (int i = 0; i < wt.length; i++) {
                scale[i % cols] = Math.max(scale[i % cols], Math.abs(wt[i]));
            }
            for (int j = 0; j < cols; j++) {
                scale[j] = scale[j] == 0 ? 1f : scale[j] / 127f;
            }
            byte[] q = new byte[wt.length];
            for (int i = 0; i < wt.length; i++) {
                q[i] = (byte) Math.max(-127, Math.min(127, Math.round(wt[i] / scale[i % cols])));
            }
            String qw = g.int8s(stem + ".T.int8", q, in, out);
            String sc = g.floats(stem + ".T.scale", scale, out);
            if (fused) {
                return bias == null ? g.op("DynamicQuantizeMatMul", GraphWriter.MS, new String[] {x, qw, sc})
                        : g.op("DynamicQuantizeMatMul", GraphWriter.MS, new String[] {x, qw, sc, "", bias});
            }
            String xq = g.fresh("xq");
            String xs = g.fresh("xscale");
            String xz = g.fresh("xzero");
            g.node("DynamicQuantizeLinear", "", new String[] {x}, new String[] {xq, xs, xz});
            String acc = g.op("MatMulInteger", xq, qw, xz);
            String f = g.op("Cast", "", new String[] {acc}, GraphWriter.attr("to", (long) DataType.FLOAT.getNumber()));
            String y = g.op("Mul", g.op("Mul", f, xs), sc);
            return bias == null ? y : g.op("Add", y, bias);
        }

        String layerNorm(String x, String gamma, String beta) {
            return g.op("LayerNormalization", "", new String[] {x, weight(gamma), weight(beta)},
                    GraphWriter.attr("axis", -1L), GraphWriter.attr("epsilon", (float) c.layerNormEps()));
        }

        /** LayerNorm(x + skip + bias). */
        String skipLayerNorm(String x, String skip, String bias, String gamma, String beta) {
            if (fused) {
                String out = g.fresh("skipln");
                g.node("SkipLayerNormalization", GraphWriter.MS,
                        new String[] {x, skip, weight(gamma), weight(beta), bias}, new String[] {out},
                        GraphWriter.attr("epsilon", (float) c.layerNormEps()));
                return out;
            }
            return layerNorm(g.op("Add", g.op("Add", x, bias), skip), gamma, beta);
        }

        String gelu(String x, String bias) {
            if (fused) {
                return g.op("BiasGelu", GraphWriter.MS, new String[] {x, bias});
            }
            String xb = g.op("Add", x, bias);
            String erf = g.op("Erf", g.op("Div", xb, g.constFloat((float) Math.sqrt(2.0))));
            return g.op("Mul", g.op("Mul", xb, g.op("Add", erf, g.constFloat(1f))), g.constFloat(0.5f));
        }

        void emit(Pooling pooling, boolean normalize, boolean pooledOut, boolean embeddingOnly) {
            boolean bert = !c.isXlmRoberta();
            String[] bs = {"batch", "sequence"};
            g.input("input_ids", DataType.INT64, bs);
            g.input("attention_mask", DataType.INT64, bs);
            if (bert) {
                g.input("token_type_ids", DataType.INT64, bs);
            }
            String x = embeddings(bert);
            String mask = "attention_mask";
            String mask32 = g.op("Cast", "", new String[] {mask}, GraphWriter.attr("to", (long) DataType.INT32.getNumber()));
            String maskBias = null;
            if (!fused) {
                String mf = g.op("Cast", "", new String[] {mask}, GraphWriter.attr("to", (long) DataType.FLOAT.getNumber()));
                String inv = g.op("Sub", g.constFloat(1f), mf);
                maskBias = g.op("Unsqueeze", g.op("Mul", inv, g.constFloat(-Float.MAX_VALUE)), g.constLongs(1, 2));
            }
            boolean clsOnlyLast = embeddingOnly && pooling == Pooling.CLS;
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                x = layer(i, x, mask32, maskBias, clsOnlyLast && i == c.numHiddenLayers() - 1);
            }
            // x is [B, S, D], or [B, 1, D] when the last layer kept only the first token
            if (!embeddingOnly) {
                g.node("Identity", "", new String[] {x}, new String[] {LAST_HIDDEN_STATE});
                g.output(LAST_HIDDEN_STATE, DataType.FLOAT, new String[] {"batch", "sequence", null},
                        new long[] {0, 0, c.hiddenSize()});
            }
            if (pooledOut) {
                String pooled;
                if (pooling == Pooling.CLS) {
                    pooled = g.op("Gather", "", new String[] {x, g.longs(g.fresh("zero"), new long[] {0})},
                            GraphWriter.attr("axis", 1L));
                } else {
                    String mf = g.op("Unsqueeze", g.op("Cast", "", new String[] {mask},
                            GraphWriter.attr("to", (long) DataType.FLOAT.getNumber())), g.constLongs(2));
                    String sum = g.op("ReduceSum", "", new String[] {g.op("Mul", x, mf), g.constLongs(1)},
                            GraphWriter.attr("keepdims", 0L));
                    String cnt = g.op("ReduceSum", "", new String[] {mf, g.constLongs(1)}, GraphWriter.attr("keepdims", 0L));
                    pooled = g.op("Div", sum, g.op("Max", cnt, g.constFloat(1e-9f)));
                }
                if (normalize) {
                    String norm = g.op("ReduceL2", "", new String[] {pooled}, GraphWriter.attrInts("axes", 1),
                            GraphWriter.attr("keepdims", 1L));
                    pooled = g.op("Div", pooled, g.op("Max", norm, g.constFloat(1e-12f)));
                }
                g.node("Identity", "", new String[] {pooled}, new String[] {SENTENCE_EMBEDDING});
                g.output(SENTENCE_EMBEDDING, DataType.FLOAT, new String[] {"batch", null}, new long[] {0, c.hiddenSize()});
            }
        }

        String embeddings(boolean bert) {
            TensorData type = tensor("embeddings.token_type_embeddings.weight");
            TensorData pos = tensor("embeddings.position_embeddings.weight");
            int h = c.hiddenSize();
            // XLM-R has no token_type_ids input: every token gets type row 0, folded into the position table
            float[] posData = pos.data();
            if (!bert) {
                posData = posData.clone();
                for (int i = 0; i < posData.length; i++) {
                    posData[i] += type.data()[i % h];
                }
            }
            String posIds = null;
            if (!bert) {
                // HF create_position_ids_from_input_ids: cumsum of non-padding, times the mask, plus padding_idx
                String notPad = g.op("Cast", "", new String[] {g.op("Not", g.op("Equal", "input_ids",
                        g.longs(g.fresh("pad"), new long[] {c.padTokenId()})))},
                        GraphWriter.attr("to", (long) DataType.INT64.getNumber()));
                String cum = g.op("CumSum", notPad, g.longs(g.fresh("axis"), new long[] {1}));
                posIds = g.op("Add", g.op("Mul", cum, notPad), g.longs(g.fresh("pad"), new long[] {c.padTokenId()}));
            }
            String word = weight("embeddings.word_embeddings.weight");
            String posW = weight("embeddings.position_embeddings.weight" + (bert ? "" : "+type0"), posData, pos.shape());
            if (fused) {
                String ids32 = g.op("Cast", "", new String[] {"input_ids"}, GraphWriter.attr("to", (long) DataType.INT32.getNumber()));
                String seg32 = bert ? g.op("Cast", "", new String[] {"token_type_ids"},
                        GraphWriter.attr("to", (long) DataType.INT32.getNumber())) : "";
                String typeW = bert ? weight("embeddings.token_type_embeddings.weight") : "";
                String out = g.fresh("emb");
                String maskIndex = g.fresh("mask_index");
                String pos32 = posIds == null ? null
                        : g.op("Cast", "", new String[] {posIds}, GraphWriter.attr("to", (long) DataType.INT32.getNumber()));
                String[] in = pos32 == null
                        ? new String[] {ids32, seg32, word, posW, typeW, weight("embeddings.LayerNorm.weight"),
                                weight("embeddings.LayerNorm.bias")}
                        : new String[] {ids32, seg32, word, posW, typeW, weight("embeddings.LayerNorm.weight"),
                                weight("embeddings.LayerNorm.bias"), "", pos32};
                g.node("EmbedLayerNormalization", GraphWriter.MS, in, new String[] {out, maskIndex},
                        GraphWriter.attr("epsilon", (float) c.layerNormEps()));
                return out;
            }
            String x = g.op("Gather", word, "input_ids");
            String p;
            if (bert) {
                String seqLen = g.op("Shape", "", new String[] {"input_ids"}, GraphWriter.attr("start", 1L),
                        GraphWriter.attr("end", 2L));
                p = g.op("Slice", posW, g.constLongs(0), seqLen, g.constLongs(0));
                x = g.op("Add", g.op("Add", x, p), g.op("Gather", weight("embeddings.token_type_embeddings.weight"),
                        "token_type_ids"));
            } else {
                x = g.op("Add", x, g.op("Gather", posW, posIds));
            }
            return layerNorm(x, "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");
        }

        String layer(int i, String x, String mask32, String maskBias, boolean clsOnly) {
            String p = "encoder.layer." + i + ".";
            int heads = c.numAttentionHeads();
            int hs = c.headSize();
            int h = c.hiddenSize();
            String q = p + "attention.self.query.";
            String k = p + "attention.self.key.";
            String v = p + "attention.self.value.";
            String ctx;
            if (fused && !int8) {
                String qkvW = weight(p + "attention.qkv.weight.T", transposedConcat(q + "weight", k + "weight", v + "weight"),
                        h, 3L * h);
                String qkvB = weight(p + "attention.qkv.bias", concat(q + "bias", k + "bias", v + "bias"), 3L * h);
                ctx = g.op("Attention", GraphWriter.MS, new String[] {x, qkvW, qkvB, mask32},
                        GraphWriter.attr("num_heads", (long) heads));
            } else if (fused) {
                String qq = linear(x, weight(q + "bias"), q + "weight");
                String kk = linear(x, weight(k + "bias"), k + "weight");
                String vv = linear(x, weight(v + "bias"), v + "weight");
                ctx = g.op("MultiHeadAttention", GraphWriter.MS, new String[] {qq, kk, vv, "", mask32},
                        GraphWriter.attr("num_heads", (long) heads));
            } else {
                String shape4 = g.constLongs(0, 0, heads, hs);
                String qq = g.op("Transpose", "", new String[] {g.op("Reshape", linear(x, weight(q + "bias"), q + "weight"),
                        shape4)}, GraphWriter.attrInts("perm", 0, 2, 1, 3));
                String kk = g.op("Transpose", "", new String[] {g.op("Reshape", linear(x, weight(k + "bias"), k + "weight"),
                        shape4)}, GraphWriter.attrInts("perm", 0, 2, 3, 1));
                String vv = g.op("Transpose", "", new String[] {g.op("Reshape", linear(x, weight(v + "bias"), v + "weight"),
                        shape4)}, GraphWriter.attrInts("perm", 0, 2, 1, 3));
                String scores = g.op("Add", g.op("Mul", g.op("MatMul", qq, kk), g.constFloat((float) (1.0 / Math.sqrt(hs)))),
                        maskBias);
                String probs = g.op("Softmax", "", new String[] {scores}, GraphWriter.attr("axis", -1L));
                String c4 = g.op("Transpose", "", new String[] {g.op("MatMul", probs, vv)},
                        GraphWriter.attrInts("perm", 0, 2, 1, 3));
                ctx = g.op("Reshape", c4, g.constLongs(0, 0, h));
            }
            String residual = x;
            if (clsOnly) {
                // only the first token's output is read: drop the others before the output projection
                String zero = g.longs(g.fresh("first"), new long[] {0}, 1);
                ctx = g.op("Gather", "", new String[] {ctx, zero}, GraphWriter.attr("axis", 1L));
                residual = g.op("Gather", "", new String[] {x, zero}, GraphWriter.attr("axis", 1L));
            }
            String ao = linear(ctx, null, p + "attention.output.dense.weight");
            String h1 = skipLayerNorm(ao, residual, weight(p + "attention.output.dense.bias"),
                    p + "attention.output.LayerNorm.weight", p + "attention.output.LayerNorm.bias");
            String inter = gelu(linear(h1, null, p + "intermediate.dense.weight"), weight(p + "intermediate.dense.bias"));
            String out = linear(inter, null, p + "output.dense.weight");
            return skipLayerNorm(out, h1, weight(p + "output.dense.bias"), p + "output.LayerNorm.weight",
                    p + "output.LayerNorm.bias");
        }
    }
}
