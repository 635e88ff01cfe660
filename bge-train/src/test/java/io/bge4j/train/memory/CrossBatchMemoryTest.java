package io.bge4j.train.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bge4j.train.loss.InfoNceLoss;
import io.bge4j.train.loss.LossInput;
import io.bge4j.train.memory.CrossBatchMemory.MemoryNegatives;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CrossBatchMemoryTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray rows(float... values) {
        return manager.create(values, new Shape(values.length / 2, 2));
    }

    @Test
    void servesNothingDuringWarmupThenAFifoOfTheNewestEntries() {
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(3).warmupSteps(2).build()) {
            assertTrue(memory.negatives(0, manager, List.of("q")).isEmpty(), "empty memory");
            memory.add(rows(1, 1, 2, 2), List.of("a", "b"));
            assertEquals(2, memory.size());
            assertTrue(memory.negatives(1, manager, List.of("q")).isEmpty(), "step 1 < warm-up 2");
            assertFalse(memory.isActive(1));
            assertTrue(memory.isActive(2));

            MemoryNegatives n = memory.negatives(2, manager, List.of("q")).orElseThrow();
            assertEquals(new Shape(2, 2), n.embeddings().getShape());
            assertArrayEquals(new float[] {1, 1, 2, 2}, n.embeddings().toFloatArray());
            assertEquals(List.of("a", "b"), n.texts());

            // c fills the last slot, d evicts the oldest (a)
            memory.add(rows(3, 3, 4, 4), List.of("c", "d"));
            assertEquals(3, memory.size());
            n = memory.negatives(3, manager, List.of("q")).orElseThrow();
            assertEquals(List.of("d", "b", "c"), n.texts());
            assertArrayEquals(new float[] {4, 4, 2, 2, 3, 3}, n.embeddings().toFloatArray());
        }
    }

    @Test
    void aBatchLargerThanTheCapacityKeepsItsNewestRows() {
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(2).build()) {
            memory.add(rows(1, 1), List.of("a"));
            memory.add(rows(2, 2, 3, 3, 4, 4), List.of("b", "c", "d"));
            MemoryNegatives n = memory.negatives(0, manager, List.of()).orElseThrow();
            assertEquals(2, memory.size());
            assertEquals(List.of("c", "d"), List.copyOf(n.texts()).stream().sorted().toList());
            float[] values = n.embeddings().toFloatArray();
            assertEquals(3 + 4, values[0] + values[2], 0f);
        }
    }

    @Test
    void maskHidesEntriesWithTheQuerysPositiveText() {
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(4).build()) {
            memory.add(rows(1, 0, 0, 1, 1, 1), List.of("p1", "p2", "p1"));
            MemoryNegatives n = memory.negatives(5, manager, List.of("p1", "p3", "p2")).orElseThrow();
            assertArrayEquals(new boolean[] {true, false, true}, n.mask()[0]);
            assertArrayEquals(new boolean[] {false, false, false}, n.mask()[1]);
            assertArrayEquals(new boolean[] {false, true, false}, n.mask()[2]);
        }
    }

    @Test
    void entriesAreDetachedCopies() {
        NDArray p = rows(0.6f, 0.8f, -1f, 0f);
        p.setRequiresGradient(true);
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(4).build()) {
            memory.add(p, List.of("x", "y"));
            NDArray q = rows(1f, 0f, 0.6f, 0.8f);
            NDArray pos = rows(0.8f, 0.6f, 0.6f, 0.8f);
            q.setRequiresGradient(true);
            MemoryNegatives n = memory.negatives(0, manager, List.of("a", "x")).orElseThrow();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                var r = InfoNceLoss.builder().temperature(0.5).build()
                        .compute(LossInput.of(q, pos, 1).withExtraNegatives(n.embeddings(), n.mask()));
                // Q·Pᵀ/τ = [[1.6, 1.2], [1.92, 2.0]]; memory X = [[1.2, −2.0], [2.0, −1.2]], q1 masks entry x
                // ℓ0 = ln(e^1.6 + e^1.2 + e^1.2 + e^−2) − 1.6 = 0.8620304
                // ℓ1 = ln(e^1.92 + e^2.0 + e^−1.2) − 2.0 = 0.6749214
                assertEquals((0.8620304 + 0.6749214) / 2, r.loss().getFloat(), 1e-5);
                gc.backward(r.loss());
            }
            assertArrayEquals(new float[4], p.getGradient().toFloatArray(), "no gradient reaches the stored batch");
            // changing the caller's array afterwards does not change the memory
            p.getGradient().muli(0);
            NDArray again = memory.negatives(0, manager, List.of()).orElseThrow().embeddings();
            assertArrayEquals(new float[] {0.6f, 0.8f, -1f, 0f}, again.toFloatArray());
        }
    }

    @Test
    void nativeMemoryStaysFlat() {
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(5).build()) {
            NDManager batches = manager.newSubManager();
            memory.add(batches.create(new float[6], new Shape(3, 2)), List.of("a", "b", "c"));
            int bufferCount = count(memory.bufferManager());
            int batchCount = count(batches);
            for (int step = 0; step < 25; step++) {
                try (NDManager stepManager = manager.newSubManager()) {
                    Optional<MemoryNegatives> n = memory.negatives(step, stepManager, List.of("a", "z"));
                    assertTrue(n.isPresent());
                    assertEquals(1, count(stepManager), "the copy is the only array handed out");
                }
                memory.add(batches.create(new float[] {step, step, step, step}, new Shape(2, 2)), List.of("s" + step, "t"));
                batchCount += 1;
            }
            assertEquals(bufferCount, count(memory.bufferManager()));
            assertEquals(batchCount, count(batches), "add() leaves nothing in the caller's manager");
        }
    }

    @Test
    void rejectsBadInputAndOptions() {
        try (CrossBatchMemory memory = CrossBatchMemory.builder().capacity(2).build()) {
            assertThrows(IllegalArgumentException.class, () -> memory.add(rows(1, 1), List.of("a", "b")));
            memory.add(rows(1, 1), List.of("a"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> memory.add(manager.create(new float[3], new Shape(1, 3)), List.of("a")));
            assertTrue(e.getMessage().contains("d=2"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CrossBatchMemory.builder().build())
                .getMessage().contains("capacity"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CrossBatchMemory.builder().capacity(1).warmupSteps(-1).build()).getMessage().contains("warmupSteps"));
        CrossBatchMemory closed = CrossBatchMemory.builder().capacity(1).build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.add(rows(1, 1), List.of("a")));
    }

    private static int count(NDManager m) {
        Matcher matcher = Pattern.compile("Resource size: (\\d+)").matcher(m.toString());
        assertTrue(matcher.find(), "unexpected NDManager.toString(): " + m);
        return Integer.parseInt(matcher.group(1));
    }
}
