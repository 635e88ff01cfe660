package io.bge4j.train.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bge4j.core.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file opened for reading one tensor at a time, with every dtype the format defines:
 * floating-point tensors (F64, F32, F16, BF16) are read as float values for merging, integer and
 * boolean tensors as raw bytes to be copied. Offsets are checked against the file size on open.
 */
final class TensorFile implements AutoCloseable {

    /** One tensor's header entry. */
    record Entry(String name, String dtype, long[] shape, long begin, long end) {
        boolean floating() {
            return FLOAT_WIDTH.containsKey(dtype);
        }

        long bytes() {
            return end - begin;
        }
    }

    static final Map<String, Integer> FLOAT_WIDTH = Map.of("F64", 8, "F32", 4, "F16", 2, "BF16", 2);
    private static final Map<String, Integer> OTHER_WIDTH = Map.of("I64", 8, "I32", 4, "I16", 2, "I8", 1, "U8", 1,
            "BOOL", 1, "U16", 2, "U32", 4, "U64", 8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private TensorFile(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    static TensorFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelFormatException("cannot open weights file " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(file + ": truncated safetensors file (" + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, file);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > 100L * 1024 * 1024 || headerLen > size - 8) {
                throw new ModelFormatException(file + ": invalid safetensors header length " + headerLen
                        + " (file has " + size + " bytes); the file is truncated or not safetensors");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelFormatException(file + ": safetensors header is not valid JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw new ModelFormatException(file + ": safetensors header must be a JSON object");
            }
            long dataStart = 8 + headerLen;
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("__metadata__")) {
                    out.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataStart, size - dataStart));
                }
            }
            return new TensorFile(file, ch, out);
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
        if (!n.path("dtype").isTextual() || !n.path("shape").isArray() || n.path("data_offsets").size() != 2) {
            throw new ModelFormatException(where + ": expected {\"dtype\", \"shape\", \"data_offsets\": [begin, end]}");
        }
        String dtype = n.get("dtype").asText();
        Integer width = FLOAT_WIDTH.getOrDefault(dtype, OTHER_WIDTH.get(dtype));
        if (width == null) {
            throw new ModelFormatException(where + ": unknown dtype " + dtype);
        }
        long[] shape = new long[n.get("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = n.get("shape").get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new ModelFormatException(where + ": shape must hold non-negative integers");
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        long b = n.get("data_offsets").get(0).asLong(-1);
        long e = n.get("data_offsets").get(1).asLong(-1);
        if (b < 0 || e < b || e > dataLen || e - b != count * width) {
            throw new ModelFormatException(where + ": data_offsets [" + b + ", " + e + "] do not match shape "
                    + Arrays.toString(shape) + " of " + dtype + " within the " + dataLen + " data bytes");
        }
        if (FLOAT_WIDTH.containsKey(dtype) && count > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(where + ": " + count + " elements exceed what one Java array holds");
        }
        return new Entry(name, dtype, shape, dataStart + b, dataStart + e);
    }

    Path file() {
        return file;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** Adds {@code weight * tensor} to {@code acc} element by element (floating-point tensors only). */
    void accumulate(Entry e, double weight, double[] acc) {
        int width = FLOAT_WIDTH.get(e.dtype());
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(e.bytes(), 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        long pos = e.begin();
        int o = 0;
        try {
            while (pos < e.end()) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), e.end() - pos));
                readFully(channel, buf, pos, file);
                buf.flip();
                pos += buf.limit();
                while (buf.remaining() >= width) {
                    double v = switch (e.dtype()) {
                        case "F64" -> buf.getDouble();
                        case "F32" -> buf.getFloat();
                        case "F16" -> f16(buf.getShort());
                        default -> Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
                    };
                    acc[o++] += weight * v;
                }
            }
        } catch (IOException ex) {
            throw new ModelFormatException(file + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    /** IEEE 754 half precision to float (subnormals, infinities and NaN included). */
    static float f16(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Copies a tensor's raw bytes to {@code out}. */
    void copyRaw(Entry e, java.io.OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(e.bytes(), 1), 1 << 20));
        long pos = e.begin();
        while (pos < e.end()) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), e.end() - pos));
            readFully(channel, buf, pos, file);
            out.write(buf.array(), 0, buf.limit());
            pos += buf.limit();
        }
    }

    /** @return the raw bytes of a tensor (for comparing small integer tensors across models) */
    byte[] raw(Entry e) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.bytes()));
        readFully(channel, buf, e.begin(), file);
        return buf.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        int start = buf.position();
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position() - start) < 0) {
                throw new ModelFormatException(file + ": unexpected end of file");
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only file
        }
    }
}
