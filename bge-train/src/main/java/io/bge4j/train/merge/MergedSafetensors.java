package io.bge4j.train.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.weights.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the merged {@code model.safetensors} tensor by tensor: each floating-point tensor is
 * {@code Σ wᵢ θᵢ} accumulated in double precision in ingredient order and stored as float32, each other
 * tensor is copied from the first model; memory holds one tensor at a time.
 */
final class MergedSafetensors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MergedSafetensors() {}

    /**
     * @param file the file to write (atomically)
     * @param ingredients the weights, in the order of {@code tensors}
     * @param tensors each model's tensors, checked by {@link MergeSources#checkTensors}
     * @return {merged, copied} tensor counts
     */
    static int[] write(Path file, List<MergeIngredient> ingredients, List<Map<String, MergeSources.Located>> tensors) {
        Map<String, MergeSources.Located> first = tensors.get(0);
        // header: float tensors become F32, others keep their dtype; sorted by name
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        int merged = 0;
        for (Map.Entry<String, MergeSources.Located> e : first.entrySet()) {
            TensorFile.Entry t = e.getValue().entry();
            long count = TensorData.elementCount(t.shape());
            long bytes = t.floating() ? 4 * count : t.bytes();
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", t.floating() ? "F32" : t.dtype());
            h.put("shape", t.shape());
            h.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), h);
            offset += bytes;
            merged += t.floating() ? 1 : 0;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] h = Arrays.copyOf(json, padded);
        Arrays.fill(h, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, os -> {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            os.write(h);
            for (Map.Entry<String, MergeSources.Located> e : first.entrySet()) {
                TensorFile.Entry t = e.getValue().entry();
                if (!t.floating()) {
                    e.getValue().file().copyRaw(t, os);
                    continue;
                }
                double[] acc = new double[Math.toIntExact(TensorData.elementCount(t.shape()))];
                for (int i = 0; i < tensors.size(); i++) {
                    MergeSources.Located l = tensors.get(i).get(e.getKey());
                    l.file().accumulate(l.entry(), ingredients.get(i).weight(), acc);
                }
                writeFloats(os, acc);
            }
        });
        return new int[] {merged, first.size() - merged};
    }

    private static void writeFloats(OutputStream os, double[] acc) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : acc) {
            if (bb.remaining() < 4) {
                os.write(bb.array(), 0, bb.position());
                bb.clear();
            }
            bb.putFloat((float) v);
        }
        os.write(bb.array(), 0, bb.position());
    }
}
