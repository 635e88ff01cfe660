package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The planner's activation estimate against the measured peak of a real forward + backward in this JVM
 * (Linux only: it resets the peak through {@code /proc/self/clear_refs}).
 */
class MemoryPlannerLiveTest {

    /** Measured rise of VmHWM over one step, in bytes. */
    static long measure(BgeModel m, int batch, int len) throws Exception {
        m.parameters().values().forEach(p -> p.setRequiresGradient(true));
        try {
            MemoryProbe.step(m, 2, 8, m.config().vocabSize(), true); // allocates the gradients
            System.gc();
            MemoryProbe.trim();
            long before = MemoryProbe.kb("VmRSS");
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            MemoryProbe.step(m, batch, len, m.config().vocabSize(), true);
            return (MemoryProbe.kb("VmHWM") - before) * 1024;
        } finally {
            m.parameters().values().forEach(p -> p.setRequiresGradient(false));
        }
    }

    static void assumeLinuxPeakReset() {
        Assumptions.assumeTrue(Files.isWritable(Path.of("/proc/self/clear_refs")),
                "needs /proc/self/clear_refs to reset the peak resident size");
    }

    @Test
    void tinyModelStepWithinThirtyPercent() throws Exception {
        assumeLinuxPeakReset();
        try (BgeModel m = TinyModels.bert(List.of("a b c d e f g h i j"), 3, 0.1)) {
            MemoryPlanner pl = MemoryPlanner.builder().config(m.config()).build();
            // 64 texts x 128 tokens: about 200 MiB of activations, mostly the 4-head attention terms
            double est = pl.activationBytes(64, 128, true) + (double) m.config().vocabSize() * m.config().hiddenSize() * 4;
            long measured = measure(m, 64, 128);
            double ratio = measured / est;
            assertTrue(ratio > 0.7 && ratio < 1.3, "measured " + (measured >> 20) + " MiB, estimated "
                    + ((long) est >> 20) + " MiB");
        }
    }

    @Test
    @Tag("slow")
    void bgeSmallStepWithinThirtyPercent() throws Exception {
        assumeLinuxPeakReset();
        try (BgeModel m = BgeModel.load("bge-small-en-v1.5")) {
            MemoryPlanner pl = MemoryPlanner.builder().config(m.config()).build();
            double est = pl.activationBytes(8, 64, true) + (double) m.config().vocabSize() * m.config().hiddenSize() * 4;
            long measured = measure(m, 8, 64);
            double ratio = measured / est;
            assertTrue(ratio > 0.7 && ratio < 1.3, "measured " + (measured >> 20) + " MiB, estimated "
                    + ((long) est >> 20) + " MiB");
        }
    }
}
