package io.bge4j.train.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * Reduced-precision probe for docs/memory.md (not a test; run by hand):
 * {@code java -cp ... io.bge4j.train.plan.PrecisionProbe matmul} times an fp32 and an fp16 matrix product of
 * the sizes of a bge-small FFN layer and prints the fp16 error; {@code ... PrecisionProbe bf16} casts to
 * bfloat16 through DJL (which aborts the JVM with DJL 0.33: run it in its own process).
 */
public final class PrecisionProbe {

    private PrecisionProbe() {}

    public static void main(String[] args) {
        try (NDManager m = NDManager.newBaseManager()) {
            if (args[0].equals("bf16")) {
                NDArray x = m.randomNormal(new Shape(4, 4));
                System.out.println("casting to BFLOAT16 (ordinal " + DataType.BFLOAT16.ordinal() + ")");
                System.out.flush();
                NDArray y = x.toType(DataType.BFLOAT16, false);
                System.out.println("cast returned dtype " + y.getDataType());
                return;
            }
            int tokens = 512;
            NDArray a = m.randomNormal(new Shape(tokens, 384));
            NDArray w = m.randomNormal(new Shape(384, 1536)).div(20);
            for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                NDArray a2 = a.toType(dt, false);
                NDArray w2 = w.toType(dt, false);
                a2.matMul(w2).close(); // warm-up
                int reps = 20;
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    a2.matMul(w2).close();
                }
                double secs = (System.nanoTime() - t0) / 1e9 / reps;
                double gflops = 2.0 * tokens * 384 * 1536 / secs / 1e9;
                NDArray ref = a.matMul(w);
                NDArray got = a2.matMul(w2).toType(DataType.FLOAT32, false);
                float relErr = got.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
                System.out.printf(Locale.ROOT, "matmul %s [%d,384]x[384,1536]: %.2f ms, %.1f GFLOP/s, max rel error %.2e%n",
                        dt, tokens, secs * 1e3, gflops, relErr);
            }
        }
    }
}
