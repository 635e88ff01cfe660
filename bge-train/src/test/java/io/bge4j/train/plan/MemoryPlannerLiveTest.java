package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.EncoderConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The planner's activation estimate against the measured peak of a real forward + backward, measured by
 * {@link MemoryProbe} in a fresh JVM (as in docs/memory.md; in this JVM memory freed by earlier tests would
 * hide the growth). Linux only: the probe resets the peak through {@code /proc/self/clear_refs}.
 */
class MemoryPlannerLiveTest {

    private static final Pattern DELTA = Pattern.compile("delta_mb (-?[0-9.]+)");

    /** Runs the probe for one point in a child JVM and returns the measured rise in bytes. */
    static long probe(String model, String point) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isWritable(Path.of("/proc/self/clear_refs")),
                "needs /proc/self/clear_refs to reset the peak resident size");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                MemoryProbe.class.getName(), model, point).redirectErrorStream(true);
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "probe timed out");
        assertEquals(0, p.exitValue(), out);
        Matcher m = DELTA.matcher(out);
        assertTrue(m.find(), out);
        return (long) (Double.parseDouble(m.group(1)) * (1 << 20));
    }

    static double estimate(EncoderConfig c, int texts, int length) {
        MemoryPlanner pl = MemoryPlanner.builder().config(c).build();
        return pl.activationBytes(texts, length, true) + (double) c.vocabSize() * c.hiddenSize() * 4;
    }

    @Test
    void tinyModelStepWithinThirtyPercent() throws Exception {
        long measured = probe("tiny", "64x128");
        // MemoryProbe's tiny model: vocabulary of 8 words + 5 specials, 32 wide, 2 layers, 4 heads, FFN 64
        EncoderConfig tiny = new EncoderConfig("bert", 13, 32, 2, 4, 64, 128, 2, 1e-12, 0, "gelu", 0.1, 0.1);
        double est = estimate(tiny, 64, 128);
        double ratio = measured / est;
        assertTrue(ratio > 0.7 && ratio < 1.3, "measured " + (measured >> 20) + " MiB, estimated "
                + ((long) est >> 20) + " MiB");
    }

    @Test
    @Tag("slow")
    void bgeSmallStepWithinThirtyPercent() throws Exception {
        long measured = probe("bge-small-en-v1.5", "8x64");
        double est = estimate(MemoryPlannerTest.SMALL, 8, 64);
        double ratio = measured / est;
        assertTrue(ratio > 0.7 && ratio < 1.3, "measured " + (measured >> 20) + " MiB, estimated "
                + ((long) est >> 20) + " MiB");
    }
}
