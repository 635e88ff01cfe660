package io.bge4j.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryAvailabilityTest {

    private static final long GIB = 1L << 30;

    private static void write(Path root, String rel, String text) throws IOException {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    private static void meminfo(Path root) throws IOException {
        write(root, "proc/meminfo", "MemTotal:       25165824 kB\nMemFree:         1000 kB\n"
                + "MemAvailable:    4194304 kB\n");
        write(root, "proc/self/status", "Name:\tjava\nVmHWM:\t  3000000 kB\nVmRSS:\t  1048576 kB\n");
    }

    @Test
    void cgroupV2LimitCapsTheBudget(@TempDir Path root) throws IOException {
        meminfo(root);
        write(root, "sys/fs/cgroup/memory.max", (3 * GIB) + "\n");
        write(root, "sys/fs/cgroup/memory.current", (2 * GIB) + "\n");
        MemoryAvailability a = MemoryAvailability.probe(root, GIB, List.of(), OptionalLong.empty(), OptionalLong.empty());
        assertEquals(24 * GIB, a.physicalBytes());
        assertEquals(4 * GIB, a.availableBytes());
        assertEquals(GIB, a.processResidentBytes());
        // host: 1 GiB resident + 4 GiB available = 5 GiB; cgroup: 3 GiB limit - (2 - 1) GiB used by others = 2 GiB
        assertEquals(2 * GIB, a.hostBudgetBytes());
        assertFalse(a.onGpu());
        assertTrue(a.describe().contains("cgroup limit 3.00 GiB"), a.describe());
    }

    @Test
    void cgroupV2MaxAndV1HugeValueMeanNoLimit(@TempDir Path root) throws IOException {
        meminfo(root);
        write(root, "sys/fs/cgroup/memory.max", "max\n");
        MemoryAvailability v2 = MemoryAvailability.probe(root, GIB, List.of(), OptionalLong.empty(), OptionalLong.empty());
        assertEquals(5 * GIB, v2.hostBudgetBytes());
        Files.delete(root.resolve("sys/fs/cgroup/memory.max"));
        write(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "18898124800\n");
        MemoryAvailability v1 = MemoryAvailability.probe(root, GIB, List.of(), OptionalLong.empty(), OptionalLong.empty());
        assertEquals(5 * GIB, v1.hostBudgetBytes());
        assertTrue(v1.describe().contains("no limit"), v1.describe());
        write(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", (4 * GIB) + "\n");
        write(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", (GIB) + "\n");
        MemoryAvailability v1limited = MemoryAvailability.probe(root, GIB, List.of(), OptionalLong.empty(),
                OptionalLong.empty());
        assertEquals(4 * GIB, v1limited.hostBudgetBytes()); // 4 GiB limit, nobody else in the group
    }

    @Test
    void directMemoryFromTheJvmArgumentsOrTheHeap(@TempDir Path root) throws IOException {
        meminfo(root);
        assertEquals(2 * GIB, MemoryAvailability.probe(root, 2 * GIB, List.of("-Xmx2g"), OptionalLong.empty(),
                OptionalLong.empty()).jvmMaxDirectBytes());
        assertEquals(512L << 20, MemoryAvailability.probe(root, 2 * GIB, List.of("-XX:MaxDirectMemorySize=512m"),
                OptionalLong.empty(), OptionalLong.empty()).jvmMaxDirectBytes());
        assertEquals(3L << 10, MemoryAvailability.parseSize("3K"));
        assertEquals(123, MemoryAvailability.parseSize("123"));
        assertThrows(IllegalArgumentException.class, () -> MemoryAvailability.parseSize("lots"));
    }

    @Test
    void missingProcFailsWithAClearMessage(@TempDir Path root) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MemoryAvailability.probe(root, GIB, List.of(), OptionalLong.empty(), OptionalLong.empty()));
        assertTrue(e.getMessage().contains("MemTotal"), e.getMessage());
    }

    @Test
    void probesThisMachine() {
        MemoryAvailability a = MemoryAvailability.probe(Device.cpu());
        assertTrue(a.physicalBytes() > a.processResidentBytes());
        assertTrue(a.processResidentBytes() > 0);
        assertEquals(Runtime.getRuntime().maxMemory(), a.jvmMaxHeapBytes());
        assertTrue(a.hostBudgetBytes() > 0);
    }
}
