package io.bge4j.core;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the same ONNX file with ONNX Runtime: the independent reference for parity tests and benchmarks. */
public final class OrtReference implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OrtReference(String resource, int threads) throws IOException, OrtException {
        byte[] bytes;
        try (InputStream in = OrtReference.class.getClassLoader().getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        }
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
        session = env.createSession(bytes, opts);
    }

    public OrtSession session() {
        return session;
    }

    /** CLS-pooled, L2-normalised embeddings for already-tokenized texts, padded to the batch's longest. */
    public float[][] embed(long[][] ids) throws OrtException {
        int longest = 1;
        for (long[] s : ids) {
            longest = Math.max(longest, s.length);
        }
        long[] flat = new long[ids.length * longest];
        long[] mask = new long[flat.length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * longest, ids[i].length);
            for (int j = 0; j < ids[i].length; j++) {
                mask[i * longest + j] = 1;
            }
        }
        long[] shape = {ids.length, longest};
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape);
                OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]), shape)) {
            for (String name : session.getInputNames()) {
                in.put(name, name.contains("mask") ? b : name.contains("type") ? c : a);
            }
            try (OrtSession.Result r = session.run(in)) {
                float[][][] hidden = (float[][][]) r.get(0).getValue();
                float[][] out = new float[ids.length][];
                for (int i = 0; i < ids.length; i++) {
                    float[] v = hidden[i][0].clone();
                    double n = 0;
                    for (float x : v) {
                        n += x * x;
                    }
                    n = Math.max(Math.sqrt(n), 1e-12);
                    for (int j = 0; j < v.length; j++) {
                        v[j] /= n;
                    }
                    out[i] = v;
                }
                return out;
            }
        }
    }

    public List<String> describe() throws OrtException {
        return List.of(session.getInputInfo().toString(), session.getOutputInfo().toString());
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
