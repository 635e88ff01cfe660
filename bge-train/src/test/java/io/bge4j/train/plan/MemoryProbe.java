package io.bge4j.train.plan;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.bge4j.core.BgeModel;
import io.bge4j.core.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Calibration probe for {@link MemoryPlanner}: the resident-memory rise of one forward + backward of
 * {@code BgeModel.embed(manager, ids, true)} under a {@code GradientCollector}, at (batch, length)
 * points given on the command line. Not a test; run by hand (see docs/memory.md):
 *
 * <pre>java -cp ... io.bge4j.train.plan.MemoryProbe bge-small-en-v1.5 8x64 16x64 ...</pre>
 *
 * <p>A point {@code BxL} has dropout on (training); {@code BxLn} turns it off. Each point: gradients zeroed, {@code /proc/self/clear_refs} reset of the peak, one step, then
 * {@code VmHWM - VmRSS(before)}. Also {@code repeat:N:BxL} runs N identical steps and prints the
 * resident memory after each (to see whether anything is kept across steps).
 */
public final class MemoryProbe {

    private MemoryProbe() {}

    public static void main(String[] args) throws IOException {
        String name = args[0];
        try (BgeModel model = name.equals("tiny") ? TinyModels.bert(List.of("a b c d e f g h"), 1, 0.1)
                : BgeModel.load(name)) {
            Map<String, NDArray> params = model.parameters();
            params.values().forEach(p -> p.setRequiresGradient(true));
            int vocab = model.config().vocabSize();
            step(model, 2, 16, vocab, true); // warm-up: allocates the parameter gradients once
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("repeat:")) {
                    String[] r = a.split(":");
                    int n = Integer.parseInt(r[1]);
                    int[] bl = parse(r[2]);
                    for (int k = 0; k < n; k++) {
                        step(model, bl[0], bl[1], vocab, true);
                        System.out.printf(Locale.ROOT, "repeat %s step %d rss_mb %.1f%n", r[2], k + 1, kb("VmRSS") / 1024.0);
                    }
                    continue;
                }
                boolean dropout = !a.endsWith("n");
                int[] bl = parse(dropout ? a : a.substring(0, a.length() - 1));
                System.gc();
                trim();
                long before = kb("VmRSS");
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                long t0 = System.nanoTime();
                step(model, bl[0], bl[1], vocab, dropout);
                double secs = (System.nanoTime() - t0) / 1e9;
                long peak = kb("VmHWM");
                System.out.printf(Locale.ROOT, "point %s batch %d len %d dropout %b rss_before_mb %.1f peak_mb %.1f delta_mb %.1f secs %.2f%n",
                        name, bl[0], bl[1], dropout, before / 1024.0, peak / 1024.0, (peak - before) / 1024.0, secs);
            }
        }
    }

    private static int[] parse(String s) {
        String[] p = s.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    /** One plain step as TrainingRun does it: child manager, collector, embed, scalar loss, backward, zero. */
    static void step(BgeModel model, int batch, int len, int vocab, boolean dropout) {
        SplittableRandom rnd = new SplittableRandom(batch * 1000L + len);
        long[][] ids = new long[batch][len];
        for (long[] row : ids) {
            row[0] = 101 % vocab;
            for (int j = 1; j < len; j++) {
                row[j] = 1000 % vocab + rnd.nextInt(Math.max(1, vocab - 1000 % vocab));
            }
        }
        try (NDManager sm = model.manager().newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray e = model.embed(sm, ids, dropout);
            NDArray w = sm.randomNormal(e.getShape(), DataType.FLOAT32);
            gc.backward(e.mul(w).sum());
        }
        io.bge4j.train.optim.AdamW.zeroGradients(model.parameters());
    }

    /** Returns freed heap pages to the OS (glibc {@code malloc_trim}) so the next rise is real growth. */
    static void trim() {
        try {
            com.sun.jna.NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0});
        } catch (UnsatisfiedLinkError e) {
            // not glibc: the measurement is only less tight
        }
    }

    static long kb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
