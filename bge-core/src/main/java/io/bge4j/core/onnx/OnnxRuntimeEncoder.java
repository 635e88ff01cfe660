package io.bge4j.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.ModelFormatException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs a bge4j ONNX graph with ONNX Runtime (CPU) on already-tokenized texts: pads each batch to its
 * longest member (right padding), feeds {@code input_ids}, {@code attention_mask} and, when the graph
 * has it, {@code token_type_ids} (zeros), and reads {@code sentence_embedding}. Thread-safe (ONNX
 * Runtime sessions are); close it to free the session.
 *
 * <p>Usage:
 * <pre>{@code
 * try (OnnxRuntimeEncoder ort = OnnxRuntimeEncoder.forModel(model, OnnxExportOptions.defaults(), 2)) {
 *     float[][] v = ort.embed(model.tokenizer().encode(texts, 512));
 * }
 * }</pre>
 */
public final class OnnxRuntimeEncoder implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean tokenTypes;
    private final int dimension;
    private final Set<String> fetch;

    private OnnxRuntimeEncoder(byte[] model, int threads, String source) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        try {
            env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                opts.setIntraOpNumThreads(threads);
                opts.setInterOpNumThreads(1);
                opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                // by default idle ORT workers spin-wait between runs, taking CPU from libtorch's threads and
                // from other processes on a shared machine
                opts.addConfigEntry("session.intra_op.allow_spinning", "0");
                session = env.createSession(model, opts);
            }
            if (!session.getOutputNames().contains(OnnxExporter.SENTENCE_EMBEDDING)) {
                session.close();
                throw new ModelFormatException(source + " has no '" + OnnxExporter.SENTENCE_EMBEDDING
                        + "' output; export it with bge4j (pooled output on)");
            }
            tokenTypes = session.getInputNames().contains("token_type_ids");
            long[] shape = ((ai.onnxruntime.TensorInfo) session.getOutputInfo().get(OnnxExporter.SENTENCE_EMBEDDING)
                    .getInfo()).getShape();
            dimension = (int) shape[shape.length - 1];
            fetch = Set.of(OnnxExporter.SENTENCE_EMBEDDING);
        } catch (OrtException e) {
            throw new ModelFormatException(source + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /**
     * Exports the model's current weights to an in-memory graph (embedding output only) and opens it.
     *
     * @param model the model (its weights are copied now; later changes are not seen)
     * @param options graph kind and precision ({@code pooledOutput} is forced on)
     * @param threads ONNX Runtime intra-op threads
     * @return the encoder
     */
    public static OnnxRuntimeEncoder forModel(BgeModel model, OnnxExportOptions options, int threads) {
        return new OnnxRuntimeEncoder(OnnxExporter.toEmbeddingBytes(model, options), threads, model.name() + " (in-memory ONNX)");
    }

    /**
     * Opens an exported {@code model.onnx} (written by {@link OnnxExporter} with the pooled output).
     *
     * @param onnxFile the file
     * @param threads ONNX Runtime intra-op threads
     * @return the encoder
     */
    public static OnnxRuntimeEncoder open(Path onnxFile, int threads) {
        try {
            return new OnnxRuntimeEncoder(Files.readAllBytes(onnxFile), threads, onnxFile.toString());
        } catch (java.io.IOException e) {
            throw new ModelFormatException("cannot read " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    /** @return the embedding width */
    public int dimension() {
        return dimension;
    }

    /**
     * @param ids token ids per text (with special tokens), at least one text
     * @return one {@code sentence_embedding} row per text
     */
    public float[][] embed(long[][] ids) {
        if (ids.length == 0) {
            return new float[0][];
        }
        int longest = 1;
        for (long[] s : ids) {
            longest = Math.max(longest, s.length);
        }
        int n = ids.length;
        long[] flat = new long[n * longest];
        long[] mask = new long[flat.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ids[i], 0, flat, i * longest, ids[i].length);
            java.util.Arrays.fill(mask, i * longest, i * longest + ids[i].length, 1L);
        }
        long[] shape = {n, longest};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (tokenTypes) {
                in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]), shape));
            }
            try (OrtSession.Result r = session.run(in, fetch)) {
                OnnxValue v = r.get(0);
                FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
                float[][] out = new float[n][dimension];
                for (int i = 0; i < n; i++) {
                    fb.get(out[i]);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new Bge4jException("ONNX Runtime failed on a batch of " + n + " texts of up to " + longest + " tokens: "
                    + e.getMessage(), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Frees the session. */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new Bge4jException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
