package io.bge4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.weights.Safetensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON syntax errors in model files name the file, line and column, never the parser's source text. */
class JsonErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void configJsonSyntaxErrorSaysWhereWithoutParserInternals() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": 32,,\n}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> EncoderConfig.read(cfg));
        assertFalse(e.getMessage().contains("Source"), e.getMessage());
        assertFalse(e.getMessage().contains("REDACTED"), e.getMessage());
        assertTrue(e.getMessage().startsWith(cfg + ": not valid JSON: Unexpected character (','"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" at line 3, column 21"), e.getMessage());
    }

    @Test
    void truncatedObjectAndSafetensorsHeader() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\": \"bert\"");
        String m = assertThrows(ModelFormatException.class, () -> EncoderConfig.read(cfg)).getMessage();
        assertFalse(m.contains("Source"), m);
        assertTrue(m.contains("Unexpected end-of-input") && m.contains("line 1"), m);

        byte[] header = "{\"x\": [}".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path st = tmp.resolve("model.safetensors");
        Files.write(st, b.array());
        m = assertThrows(ModelFormatException.class, () -> Safetensors.readAll(st)).getMessage();
        assertFalse(m.contains("Source"), m);
        assertTrue(m.startsWith(st + ": safetensors header is not valid JSON: Unexpected close marker '}'"), m);
        assertTrue(m.endsWith("at line 1, column 8"), m);
    }

    @Test
    void otherIoErrorsKeepTheirMessage() {
        assertEquals("disk on fire", JsonErrors.describe(new IOException("disk on fire")));
    }
}
