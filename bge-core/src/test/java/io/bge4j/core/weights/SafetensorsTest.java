package io.bge4j.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    /** Builds a safetensors file by hand: header JSON + raw bytes. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h).put(data);
        return bb.array();
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = Files.createTempFile(tmp, "t", ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void writeThenReadGivesIdenticalValuesAndBytes() throws IOException {
        TensorData a = new TensorData("b.weight", new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 7e30f});
        TensorData b = new TensorData("a.bias", new long[] {2}, new float[] {0.1f, Float.NaN});
        Path p = tmp.resolve("m.safetensors");
        Safetensors.write(p, List.of(a, b), Map.of("format", "pt"));
        Map<String, TensorData> back = Safetensors.readAll(p);
        assertEquals(a, back.get("b.weight"));
        assertArrayEquals(b.data(), back.get("a.bias").data()); // NaN bit pattern preserved by Arrays.equals
        // a second write of what was read is byte-identical
        Path q = tmp.resolve("n.safetensors");
        Safetensors.write(q, back.values(), Map.of("format", "pt"));
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q));
        try (Safetensors.Reader r = Safetensors.open(p)) {
            assertEquals("pt", r.metadata().get("format"));
            // sorted by name: a.bias comes first in the data section
            assertEquals("a.bias", r.entries().get(0).name());
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
    }

    @Property(tries = 50)
    void roundTripArbitraryShapes(@ForAll @IntRange(min = 0, max = 5) int rows, @ForAll @IntRange(min = 1, max = 7) int cols,
            @ForAll long seed) throws IOException {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt());
        }
        TensorData t = new TensorData("x", new long[] {rows, cols}, v);
        // jqwik does not inject JUnit's @TempDir into properties: create the folder and remove it here
        Path dir = Files.createTempDirectory("bge4j-st");
        try {
            Path p = dir.resolve("x.safetensors");
            Safetensors.write(p, List.of(t), Map.of());
            assertEquals(t, Safetensors.readAll(p).get("x"));
        } finally {
            io.bge4j.core.AtomicFiles.deleteTree(dir);
        }
    }

    @Test
    void readsF16AndBf16AsFloat32() throws IOException {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001
        // BF16: 1.0 = 0x3F80, -0.5 = 0xBF00
        ByteBuffer d = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001);
        d.putShort((short) 0x3F80).putShort((short) 0xBF00);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        Map<String, TensorData> m = Safetensors.readAll(write(file(header, d.array())));
        assertArrayEquals(new float[] {1f, -2f, 65504f, 5.9604645e-8f}, m.get("h").data());
        assertArrayEquals(new float[] {1f, -0.5f}, m.get("b").data());
    }

    @Test
    void missingFileIsNamed() {
        Path p = tmp.resolve("nope.safetensors");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.readAll(p));
        assertEquals("safetensors file not found: " + p, e.getMessage());
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        Path tiny = write(new byte[] {1, 2, 3});
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(tiny)).getMessage()
                .contains("truncated safetensors file (3 bytes"));
        // data cut short: the header promises 8 bytes, the file holds 4
        Path cut = write(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]));
        String msg = assertThrows(ModelFormatException.class, () -> Safetensors.readAll(cut)).getMessage();
        assertTrue(msg.contains("tensor 'x': data_offsets [0, 8] fall outside the 4 data bytes"), msg);
    }

    @Test
    void hostileHeaderLengthAllocatesNothing() throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).putLong(0);
        Path p = write(bb.array());
        String msg = assertThrows(ModelFormatException.class, () -> Safetensors.readAll(p)).getMessage();
        assertTrue(msg.contains("invalid safetensors header length " + Long.MAX_VALUE / 2), msg);
    }

    @Test
    void hostileShapesAndOffsetsAreRejected() throws IOException {
        Path overflow = write(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}",
                new byte[0]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(overflow)).getMessage()
                .contains("is too large"));
        Path mismatch = write(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(mismatch)).getMessage()
                .contains("shape [3] of F32 needs 12 bytes but data_offsets span 8"));
        Path negative = write(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[8]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(negative)).getMessage()
                .contains("data_offsets [-4, 0] fall outside"));
        Path overlap = write(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(overlap)).getMessage()
                .contains("overlaps the previous tensor"));
        Path dtype = write(file("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(dtype)).getMessage()
                .contains("dtype I64 is not supported (expected F32, F16 or BF16)"));
        Path notJson = write(file("{not json", new byte[0]));
        assertTrue(assertThrows(ModelFormatException.class, () -> Safetensors.readAll(notJson)).getMessage()
                .contains("safetensors header is not valid JSON"));
    }

    @Test
    void onnxImporterRejectsNonOnnxBytes() {
        ByteArrayOutputStream garbage = new ByteArrayOutputStream();
        garbage.writeBytes("this is not protobuf at all".getBytes(StandardCharsets.UTF_8));
        String msg = assertThrows(ModelFormatException.class, () -> OnnxWeightImporter.read(
                new java.io.ByteArrayInputStream(garbage.toByteArray()), "bad.onnx")).getMessage();
        assertTrue(msg.startsWith("bad.onnx: "), msg);
    }
}
