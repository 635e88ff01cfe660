package io.bge4j.core.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bge4j.core.AtomicFiles;
import io.bge4j.core.JsonErrors;
import io.bge4j.core.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length, a JSON header ({@code dtype}, {@code shape},
 * {@code data_offsets} per tensor, optional {@code __metadata__}), then raw little-endian data.
 *
 * <p>Reading accepts F32, F16 and BF16 (converted to float32) and checks the header length and
 * every offset against the file size before allocating anything, so a hostile header cannot make
 * the reader allocate more than the file holds. Writing produces F32 tensors sorted by name, header
 * padded to 8 bytes, written to a temp file and moved into place atomically.
 *
 * <p>Usage:
 * <pre>{@code
 * Map<String, TensorData> w = Safetensors.readAll(dir.resolve("model.safetensors"));
 * Safetensors.write(out, w.values(), Map.of("format", "pt"));
 * }</pre>
 */
public final class Safetensors {

    /** Largest JSON header accepted (the format's own reference limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /**
     * The description of one tensor in a file, before its data is read.
     *
     * @param name tensor name
     * @param dtype {@code F32}, {@code F16} or {@code BF16}
     * @param shape dimensions
     * @param begin absolute byte offset of the data in the file
     * @param end absolute end offset (exclusive)
     */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /**
     * Opens a file and validates its header; call {@link Reader#read(Entry)} for each tensor you need.
     *
     * <p>Usage: {@code try (Safetensors.Reader r = Safetensors.open(p)) { for (var e : r.entries()) r.read(e); }}
     */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final List<Entry> entries;
        private final Map<String, String> metadata;

        private Reader(Path file, FileChannel channel, List<Entry> entries, Map<String, String> metadata) {
            this.file = file;
            this.channel = channel;
            this.entries = entries;
            this.metadata = metadata;
        }

        /** @return the tensors in data order */
        public List<Entry> entries() {
            return entries;
        }

        /** @return the {@code __metadata__} map (empty when absent) */
        public Map<String, String> metadata() {
            return metadata;
        }

        /**
         * @param e an entry of this file
         * @return its values as float32
         */
        public TensorData read(Entry e) {
            long bytes = e.end() - e.begin();
            int width = e.dtype().equals("F32") ? 4 : 2;
            float[] out = new float[Math.toIntExact(bytes / width)];
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(bytes, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
            long pos = e.begin();
            int o = 0;
            try {
                while (pos < e.end()) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), e.end() - pos));
                    while (buf.hasRemaining()) {
                        int n = channel.read(buf, pos + buf.position());
                        if (n < 0) {
                            throw new ModelFormatException(file + ": unexpected end of file in tensor '" + e.name() + "'");
                        }
                    }
                    buf.flip();
                    pos += buf.limit();
                    if (width == 4) {
                        int n = buf.limit() / 4;
                        buf.asFloatBuffer().get(out, o, n);
                        o += n;
                    } else {
                        boolean f16 = e.dtype().equals("F16");
                        while (buf.remaining() >= 2) {
                            short s = buf.getShort();
                            out[o++] = f16 ? HalfFloats.f16ToF32(s) : HalfFloats.bf16ToF32(s);
                        }
                    }
                }
            } catch (IOException ex) {
                throw new ModelFormatException(file + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
            }
            return new TensorData(e.name(), e.shape(), out);
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful to do: the file was only read
            }
        }
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @param file the file
     * @return a reader (close it)
     * @throws ModelFormatException when missing, truncated, malformed, or of an unsupported dtype
     */
    public static Reader open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("safetensors file not found: " + file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(file + ": truncated safetensors file (" + size
                        + " bytes; at least the 8-byte header length is required)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ModelFormatException(file + ": invalid safetensors header length " + headerLen + " (file has "
                        + size + " bytes, limit " + MAX_HEADER_BYTES + "); the file is truncated or not safetensors");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelFormatException(file + ": safetensors header is not valid JSON: " + JsonErrors.describe(e), e);
            }
            if (header == null || !header.isObject()) {
                throw new ModelFormatException(file + ": safetensors header must be a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.add(entry(file, f.getKey(), f.getValue(), dataStart, dataLen));
            }
            entries.sort(Comparator.comparingLong(Entry::begin));
            long expect = dataStart;
            for (Entry e : entries) {
                if (e.begin() < expect) {
                    throw new ModelFormatException(file + ": tensor '" + e.name() + "' overlaps the previous tensor's data");
                }
                expect = e.end();
            }
            return new Reader(file, ch, List.copyOf(entries), Map.copyOf(metadata));
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (e instanceof ModelFormatException m) {
                throw m;
            }
            throw new ModelFormatException(file + ": cannot read safetensors: " + e.getMessage(), e);
        }
    }

    private static Entry entry(Path file, String name, JsonNode n, long dataStart, long dataLen) {
        String where = file + ": tensor '" + name + "'";
        if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray()
                || !n.path("data_offsets").isArray() || n.path("data_offsets").size() != 2) {
            throw new ModelFormatException(where + ": expected {\"dtype\", \"shape\", \"data_offsets\": [begin, end]}");
        }
        String dtype = n.get("dtype").asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new ModelFormatException(where + ": dtype " + dtype
                    + " is not supported (expected F32, F16 or BF16)");
        };
        long[] shape = new long[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = n.get("shape").get(i);
            if (!d.isIntegralNumber() || d.asLong() < 0) {
                throw new ModelFormatException(where + ": shape must hold non-negative integers, got " + n.get("shape"));
            }
            shape[i] = d.asLong();
        }
        JsonNode offs = n.get("data_offsets");
        if (!offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()) {
            throw new ModelFormatException(where + ": data_offsets must be integers");
        }
        long b = offs.get(0).asLong();
        long e = offs.get(1).asLong();
        if (b < 0 || e < b || e > dataLen) {
            throw new ModelFormatException(where + ": data_offsets [" + b + ", " + e + "] fall outside the "
                    + dataLen + " data bytes of the file (truncated or corrupt file)");
        }
        long count;
        try {
            count = TensorData.elementCount(shape);
            if (Math.multiplyExact(count, (long) width) != e - b) {
                throw new ModelFormatException(where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtype
                        + " needs " + count * width + " bytes but data_offsets span " + (e - b));
            }
        } catch (ArithmeticException ex) {
            throw new ModelFormatException(where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(where + ": " + count + " elements exceed what one Java array holds");
        }
        return new Entry(name, dtype, shape, dataStart + b, dataStart + e);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new ModelFormatException(file + ": unexpected end of file");
            }
        }
    }

    /**
     * Reads every tensor of a file.
     *
     * @param file the file
     * @return name → tensor, in data order
     */
    public static Map<String, TensorData> readAll(Path file) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (Reader r = open(file)) {
            for (Entry e : r.entries()) {
                out.put(e.name(), r.read(e));
            }
        }
        return out;
    }

    /**
     * Writes tensors as F32, sorted by name, atomically (temp file in the same folder, then moved).
     *
     * @param file destination
     * @param tensors tensors with unique names
     * @param metadata {@code __metadata__} entries (e.g. {@code format=pt})
     */
    public static void write(Path file, Collection<TensorData> tensors, Map<String, String> metadata) {
        TreeMap<String, TensorData> sorted = new TreeMap<>();
        for (TensorData t : tensors) {
            if (sorted.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(m::put);
        }
        long offset = 0;
        for (TensorData t : sorted.values()) {
            ObjectNode o = header.putObject(t.name());
            o.put("dtype", "F32");
            var shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = 4L * t.data().length;
            o.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] hjson;
        try {
            hjson = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (hjson.length + 7) / 8 * 8;
        byte[] h = new byte[padded];
        System.arraycopy(hjson, 0, h, 0, hjson.length);
        java.util.Arrays.fill(h, hjson.length, padded, (byte) ' ');
        AtomicFiles.write(file, os -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            os.write(len.array());
            os.write(h);
            ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorData t : sorted.values()) {
                for (float v : t.data()) {
                    if (bb.remaining() < 4) {
                        os.write(bb.array(), 0, bb.position());
                        bb.clear();
                    }
                    bb.putFloat(v);
                }
            }
            os.write(bb.array(), 0, bb.position());
        });
    }
}
