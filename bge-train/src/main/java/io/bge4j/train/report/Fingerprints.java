package io.bge4j.train.report;

import io.bge4j.core.Bge4jException;
import io.bge4j.core.BgeModel;
import io.bge4j.core.weights.TensorData;
import io.bge4j.data.TrainingExample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 fingerprints for provenance: of a file's bytes, of a model's weights and of training
 * examples, written as {@code sha256:<64 hex digits>}.
 *
 * <p>The weights fingerprint hashes, for every tensor in name order: the name's length (int32) and
 * UTF-8 bytes, the rank (int32), each dimension (int64), then every value as IEEE-754 float32 bits;
 * all integers and floats little-endian. Two models with the same names, shapes and values have the same
 * fingerprint, whatever file they came from.
 *
 * <p>The examples fingerprint hashes, for every example in order, its query, positives, negatives,
 * teacher scores, prompt and type, each string as length (int32) + UTF-8 bytes, each list as its
 * size (int32) then its items, an absent value as length -1, scores as float64 bits (little-endian).
 * The {@code source} label is left out: renaming a file does not change the data.
 *
 * <p>Usage: {@code String fp = Fingerprints.model(model);   // before training: the model is trained in place}
 */
public final class Fingerprints {

    private static final HexFormat HEX = HexFormat.of();

    private Fingerprints() {}

    /**
     * @param file a file
     * @return the SHA-256 of its bytes
     * @throws Bge4jException naming the file when it cannot be read
     */
    public static String file(Path file) {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new Bge4jException("cannot read " + file + " to fingerprint it: " + e.getMessage(), e);
        }
        return "sha256:" + HEX.formatHex(md.digest());
    }

    /**
     * @param model a model (call before training: training changes the weights in place)
     * @return the fingerprint of its weights
     */
    public static String model(BgeModel model) {
        return tensors(model.toTensors());
    }

    /**
     * @param tensors name → tensor
     * @return the fingerprint described in the class documentation
     */
    public static String tensors(Map<String, TensorData> tensors) {
        MessageDigest md = sha256();
        for (Map.Entry<String, TensorData> e : new TreeMap<>(tensors).entrySet()) {
            TensorData t = e.getValue();
            string(md, e.getKey());
            ByteBuffer head = le(4 + 8 * t.shape().length);
            head.putInt(t.shape().length);
            for (long d : t.shape()) {
                head.putLong(d);
            }
            md.update(head.array());
            float[] data = t.data();
            ByteBuffer chunk = le(4 * 4096);
            for (int i = 0; i < data.length; i += 4096) {
                int n = Math.min(4096, data.length - i);
                chunk.clear();
                for (int j = 0; j < n; j++) {
                    chunk.putFloat(data[i + j]);
                }
                md.update(chunk.array(), 0, 4 * n);
            }
        }
        return "sha256:" + HEX.formatHex(md.digest());
    }

    /**
     * @param examples training examples, in training order
     * @return the fingerprint described in the class documentation
     */
    public static String examples(List<TrainingExample> examples) {
        MessageDigest md = sha256();
        for (TrainingExample e : examples) {
            string(md, e.query());
            strings(md, e.positives());
            strings(md, e.negatives());
            scores(md, e.positiveScores());
            scores(md, e.negativeScores());
            string(md, e.prompt());
            string(md, e.type());
        }
        return "sha256:" + HEX.formatHex(md.digest());
    }

    private static void strings(MessageDigest md, List<String> list) {
        md.update(le(4).putInt(list.size()).array());
        for (String s : list) {
            string(md, s);
        }
    }

    private static void scores(MessageDigest md, List<Double> list) {
        if (list == null) {
            md.update(le(4).putInt(-1).array());
            return;
        }
        ByteBuffer b = le(4 + 8 * list.size());
        b.putInt(list.size());
        for (double d : list) {
            b.putDouble(d);
        }
        md.update(b.array());
    }

    private static void string(MessageDigest md, String s) {
        if (s == null) {
            md.update(le(4).putInt(-1).array());
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(le(4).putInt(b.length).array());
        md.update(b);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
